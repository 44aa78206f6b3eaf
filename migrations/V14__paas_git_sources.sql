-- Sources of builds besides uploads: git push (the deploy branch of an environment) and incoming repository webhooks.

-- The branch whose pushes (git push, webhooks) build and deploy this environment. paas_environments.git_branch (V3)
-- was never used; it becomes that setting: NULL means the default, main (or master when the repository has no main).
COMMENT ON COLUMN paas_environments.git_branch IS 'deploy branch of git pushes; NULL: main, else master';
ALTER TABLE paas_environments
  ADD CONSTRAINT paas_environments_git_branch_check
    CHECK (git_branch IS NULL OR (git_branch ~ '^[A-Za-z0-9._/-]{1,255}$' AND git_branch !~ '(^/|/$|\.\.|//|\.lock$)'));

-- An incoming webhook of a repository host (GitHub, GitLab, Gitea): a push to branch builds the app's production
-- environment from repository_url. The secret that signs deliveries is sealed (SecretBox) and shown once.
CREATE TABLE paas_source_webhooks (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  app_id          uuid NOT NULL,
  provider        varchar(16) NOT NULL CHECK (provider IN ('github', 'gitlab', 'gitea')),
  repository_url  varchar(2048) NOT NULL CHECK (repository_url ~ '^(https?|git)://\S+$'),
  branch          varchar(255) NOT NULL CHECK (branch ~ '^[A-Za-z0-9._/-]{1,255}$'),
  secret_sealed   text NOT NULL,
  created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_source_webhooks_app_fk FOREIGN KEY (app_id, organization_id)
    REFERENCES paas_apps (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX paas_source_webhooks_org_app_idx ON paas_source_webhooks (organization_id, app_id, created_at DESC, id DESC);
CREATE TRIGGER paas_source_webhooks_updated_at BEFORE UPDATE ON paas_source_webhooks FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- Deliveries seen, by the provider's delivery id: a replay answers the first outcome and builds nothing again.
-- status_code NULL while the first delivery is still being processed.
CREATE TABLE paas_source_webhook_deliveries (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  webhook_id  uuid NOT NULL REFERENCES paas_source_webhooks (id) ON DELETE CASCADE,
  delivery_id varchar(128) NOT NULL,
  status_code integer,
  response    jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (webhook_id, delivery_id)
);
CREATE INDEX paas_source_webhook_deliveries_org_created_idx ON paas_source_webhook_deliveries (organization_id, created_at);
CREATE TRIGGER paas_source_webhook_deliveries_updated_at BEFORE UPDATE ON paas_source_webhook_deliveries
  FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();
