-- The timeline of a CaaS container: the platform's own actions and what Swarm reported (task failures,
-- automatic rollbacks, repairs by the reconciler). Append-only; removed with the container.

CREATE TABLE caas_container_events (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  container_id    uuid NOT NULL,
  type            varchar(16) NOT NULL CHECK (type IN ('create', 'deploy', 'update', 'scale', 'restart', 'stop', 'start',
                                                       'rollback', 'fail', 'repair', 'task', 'delete')),
  source          varchar(8) NOT NULL CHECK (source IN ('platform', 'swarm')),
  message         text NOT NULL,
  metadata        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
  user_id         uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT caas_container_events_container_fk FOREIGN KEY (container_id, organization_id)
    REFERENCES paas_containers (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX caas_container_events_container_idx ON caas_container_events (container_id, created_at DESC, id DESC);
CREATE INDEX caas_container_events_org_idx ON caas_container_events (organization_id, created_at DESC);
CREATE TRIGGER caas_container_events_append_only BEFORE UPDATE ON caas_container_events
  FOR EACH ROW EXECUTE FUNCTION skypanel_forbid_update();

-- A restart is a rolling replacement of every task with an unchanged spec; bumping this number (exposed to
-- Swarm as a task label) is what makes the spec differ.
ALTER TABLE paas_containers ADD COLUMN restart_generation integer NOT NULL DEFAULT 0 CHECK (restart_generation >= 0);
-- what the last deploy ended as: deployed, rolled_back (Swarm's automatic rollback) or failed, with why
ALTER TABLE paas_containers ADD COLUMN last_deploy jsonb CHECK (jsonb_typeof(last_deploy) = 'object');
-- "<spec_version>:<restart_generation>:<desired_replicas>" last applied to Swarm successfully; the reconciler
-- re-applies whenever the row's own generation differs (e.g. after a crash between commit and update)
ALTER TABLE paas_containers ADD COLUMN applied_generation varchar(64);
