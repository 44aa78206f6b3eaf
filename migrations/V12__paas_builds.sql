-- Source builds (issue 11): an upload, a git push or a webhook delivery becomes a queued build of an app's
-- environment; a successful one is pushed to the platform registry and deployed as a release. Rows are kept as
-- history (status, reason, builder, image, the tail of the log); the source itself lives on the control plane's
-- disk only while the build runs.

CREATE TABLE paas_builds (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  app_id          uuid NOT NULL,
  environment_id  uuid NOT NULL,
  origin          varchar(16) NOT NULL CHECK (origin IN ('upload', 'git_push', 'webhook')),
  ref             varchar(255),
  source_commit   varchar(64) CHECK (source_commit ~ '^[0-9a-f]{7,64}$'),
  status          varchar(16) NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'building', 'succeeded', 'failed', 'cancelled')),
  status_reason   text,
  builder         varchar(100),
  image_ref       varchar(512),
  image_digest    varchar(71) CHECK (image_digest ~ '^sha256:[0-9a-f]{64}$'),
  -- set when keep-N pruning deleted the image's manifest from the registry
  image_deleted_at timestamptz,
  release_id      uuid,
  process_types   jsonb CHECK (process_types IS NULL OR jsonb_typeof(process_types) = 'object'),
  -- the last SKYPANEL_BUILD_LOG_BYTES of the build's output, stored when it ends (live lines stay in memory)
  log             text,
  created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_builds_id_org_key UNIQUE (id, organization_id),
  CONSTRAINT paas_builds_app_fk FOREIGN KEY (app_id, organization_id) REFERENCES paas_apps (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_builds_environment_fk FOREIGN KEY (environment_id, organization_id)
    REFERENCES paas_environments (id, organization_id) ON DELETE CASCADE,
  -- by id alone: a column list on SET NULL needs PostgreSQL 15, and the embedded server is older; release ids are
  -- globally unique and the build service only ever writes the release it made for the build's own organization
  CONSTRAINT paas_builds_release_fk FOREIGN KEY (release_id) REFERENCES paas_releases (id) ON DELETE SET NULL,
  CONSTRAINT paas_builds_succeeded_check CHECK (status <> 'succeeded' OR image_digest IS NOT NULL)
);
CREATE INDEX paas_builds_app_created_idx ON paas_builds (organization_id, app_id, created_at DESC, id DESC);
-- what a start finds unfinished, and what the queue and pruning read
CREATE INDEX paas_builds_active_idx ON paas_builds (status) WHERE status IN ('queued', 'building');
CREATE INDEX paas_builds_app_images_idx ON paas_builds (app_id, created_at DESC)
  WHERE image_digest IS NOT NULL AND image_deleted_at IS NULL;
CREATE TRIGGER paas_builds_updated_at BEFORE UPDATE ON paas_builds FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();
