-- PaaS processes run on the same orchestration core as CaaS containers: each process type of an environment's
-- live release is a workload row in paas_containers (kind 'process'), converged by the same reconciler and
-- deployer, routed by the same edge query (only the web process has a port and a default domain). Customer
-- container APIs, the exec proxy and the log tail see kind 'container' rows only.

ALTER TABLE paas_containers
  ADD COLUMN kind           varchar(16) NOT NULL DEFAULT 'container' CHECK (kind IN ('container', 'process')),
  ADD COLUMN environment_id uuid,
  -- the Procfile name (web, worker, ...); web alone gets PORT, a port and the environment's default domain
  ADD COLUMN process_type   varchar(30) CHECK (process_type ~ '^[a-z][a-z0-9_-]{0,29}$'),
  -- the release whose image and sealed config the process runs
  ADD COLUMN release_id     uuid,
  ADD CONSTRAINT paas_containers_environment_fk FOREIGN KEY (environment_id, organization_id)
    REFERENCES paas_environments (id, organization_id) ON DELETE CASCADE,
  -- a release cannot go away under a process that runs it; deleting the environment removes both together
  ADD CONSTRAINT paas_containers_release_fk FOREIGN KEY (release_id, organization_id)
    REFERENCES paas_releases (id, organization_id) ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED,
  ADD CONSTRAINT paas_containers_process_check CHECK (
    (kind = 'container' AND environment_id IS NULL AND process_type IS NULL AND release_id IS NULL)
    OR (kind = 'process' AND environment_id IS NOT NULL AND process_type IS NOT NULL AND release_id IS NOT NULL));

-- container names are unique among containers; process rows are named after their type in every environment
DROP INDEX paas_containers_org_name_key;
CREATE UNIQUE INDEX paas_containers_org_name_key ON paas_containers (organization_id, name) WHERE kind = 'container';
-- one workload per process type of an environment
CREATE UNIQUE INDEX paas_containers_environment_process_key ON paas_containers (environment_id, process_type) WHERE kind = 'process';
CREATE INDEX paas_containers_release_idx ON paas_containers (release_id) WHERE release_id IS NOT NULL;

-- what a release runs: {"web": "cmd", "worker": "cmd", "release": "cmd"} (a null command keeps the image's own),
-- the release-phase outcome ({"exit_code", "output"}) and why it failed
ALTER TABLE paas_releases
  ADD COLUMN process_types  jsonb NOT NULL DEFAULT '{"web": null}'::jsonb CHECK (jsonb_typeof(process_types) = 'object'),
  ADD COLUMN env_var_names  text[] NOT NULL DEFAULT '{}',
  ADD COLUMN status_reason  text,
  ADD COLUMN release_phase  jsonb CHECK (jsonb_typeof(release_phase) = 'object');
-- releases waiting for their release phase, for the background runner
CREATE INDEX paas_releases_pending_idx ON paas_releases (created_at) WHERE status = 'pending';

-- the formation: how many of each process type and how big (a plan slug of the catalog), kept per environment
-- so that a new release keeps the scale of the last one
ALTER TABLE paas_environments
  ADD COLUMN formation jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(formation) = 'object'),
  ADD COLUMN port      integer NOT NULL DEFAULT 5000 CHECK (port BETWEEN 1 AND 65535);
