-- PaaS (apps built from source or images, Heroku-like) and CaaS (user containers on Docker Swarm) schema.
--
-- Conventions (see V1): uuid keys, timestamptz created_at/updated_at kept by skypanel_set_updated_at(), a CHECK
-- on every enumerated column, bounded varchars, explicit index names.
--
-- Tenancy: every tenant table carries organization_id NOT NULL itself, even when a parent row already implies
-- it, so every tenant query is "WHERE organization_id = $1 AND ..." on an index that starts with it. Where a
-- child points at a tenant parent the foreign key is composite, (parent_id, organization_id) ->
-- parent (id, organization_id), so a row can never reference another organization's parent. Deleting an
-- organization cascades to everything it owns.
--
-- Secrets: columns ending in _sealed hold ciphertext produced by the application's envelope encryption; the
-- database never sees plaintext secret values.
--
-- Written for PostgreSQL 14+ (the embedded server is 14): no NULLS NOT DISTINCT, no ON DELETE SET NULL (cols).

-- --------------------------------------------------------------------------------------------------------
-- Catalog: isolation tiers, plans, nodes
-- --------------------------------------------------------------------------------------------------------

-- How strongly a tenant's containers are confined. Referenced by slug so configuration reads naturally.
CREATE TABLE caas_isolation_tiers (
  id                   varchar(32) PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]{0,31}$'),
  name                 varchar(100) NOT NULL CHECK (length(btrim(name)) > 0),
  description          text NOT NULL DEFAULT '',
  -- Linux capabilities a container may add on top of Docker's default set (names without the CAP_ prefix).
  cap_add_allowlist    text[] NOT NULL DEFAULT '{}',
  no_new_privileges    boolean NOT NULL DEFAULT true,
  read_only_rootfs     boolean NOT NULL DEFAULT false,
  exec_allowed         boolean NOT NULL DEFAULT true,
  -- record the full byte stream of interactive exec sessions in caas_exec_audit.transcript
  transcript_exec      boolean NOT NULL DEFAULT false,
  -- schedule only on nodes dedicated to the organization (paas_nodes.dedicated_organization_id)
  dedicated_nodes      boolean NOT NULL DEFAULT false,
  default_egress_mode  varchar(8) NOT NULL DEFAULT 'allow' CHECK (default_egress_mode IN ('allow', 'deny')),
  pids_limit           integer NOT NULL CHECK (pids_limit > 0),
  max_cpu              numeric(6, 2) NOT NULL CHECK (max_cpu > 0),
  max_memory_mb        integer NOT NULL CHECK (max_memory_mb > 0),
  max_replicas         integer NOT NULL CHECK (max_replicas > 0),
  sort_order           integer NOT NULL DEFAULT 0,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT caas_isolation_tiers_caps_check CHECK (
    array_position(cap_add_allowlist, NULL) IS NULL
    AND array_to_string(cap_add_allowlist, ',') ~ '^([A-Z][A-Z_]{0,31}(,[A-Z][A-Z_]{0,31})*)?$')
);
CREATE TRIGGER caas_isolation_tiers_updated_at BEFORE UPDATE ON caas_isolation_tiers FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- The tiers are inserted here rather than in V4 because organizations.isolation_tier (below) is NOT NULL
-- DEFAULT 'standard' with a foreign key: existing organizations get that value when the column is added.
INSERT INTO caas_isolation_tiers
  (id, name, description, cap_add_allowlist, no_new_privileges, read_only_rootfs, exec_allowed, transcript_exec,
   dedicated_nodes, default_egress_mode, pids_limit, max_cpu, max_memory_mb, max_replicas, sort_order)
VALUES
  ('standard', 'Standard',
   'Shared nodes, Docker default capabilities minus privilege escalation; exec sessions are audited (metadata only).',
   ARRAY['NET_BIND_SERVICE', 'CHOWN', 'SETUID', 'SETGID', 'DAC_OVERRIDE', 'FOWNER', 'KILL']::text[],
   true, false, true, false, false, 'allow', 512, 4.00, 8192, 10, 10),
  ('enhanced', 'Enhanced',
   'Shared nodes, read-only root filesystem, minimal capabilities, exec sessions recorded in full.',
   ARRAY['NET_BIND_SERVICE']::text[],
   true, true, true, true, false, 'allow', 256, 8.00, 32768, 20, 20),
  ('dedicated', 'Dedicated',
   'Nodes reserved for one organization, read-only root filesystem, exec sessions recorded in full.',
   ARRAY['NET_BIND_SERVICE', 'CHOWN', 'SETUID', 'SETGID', 'DAC_OVERRIDE', 'FOWNER', 'KILL']::text[],
   true, true, true, true, true, 'allow', 4096, 64.00, 262144, 100, 30);

-- Sizes sold to tenants: an organization's plan caps its totals; a container or process plan sizes it.
CREATE TABLE paas_plans (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug           varchar(63) NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name           varchar(100) NOT NULL CHECK (length(btrim(name)) > 0),
  description    text NOT NULL DEFAULT '',
  price_hourly   numeric(12, 6) NOT NULL CHECK (price_hourly >= 0),
  price_monthly  numeric(12, 2) NOT NULL CHECK (price_monthly >= 0),
  currency       char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  cpu            numeric(6, 2) NOT NULL CHECK (cpu > 0),
  memory_mb      integer NOT NULL CHECK (memory_mb > 0),
  disk_gb        integer NOT NULL CHECK (disk_gb >= 0),
  max_replicas   integer NOT NULL CHECK (max_replicas > 0),
  max_apps       integer NOT NULL CHECK (max_apps >= 0),
  max_containers integer NOT NULL CHECK (max_containers >= 0),
  max_volumes    integer NOT NULL CHECK (max_volumes >= 0),
  max_volume_gb  integer NOT NULL CHECK (max_volume_gb >= 0),
  max_domains    integer NOT NULL CHECK (max_domains >= 0),
  egress_gb_included integer NOT NULL DEFAULT 0 CHECK (egress_gb_included >= 0),
  -- a catalog tier is never deleted while a plan uses it; renaming the slug follows through
  isolation_tier varchar(32) NOT NULL DEFAULT 'standard' REFERENCES caas_isolation_tiers (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  active         boolean NOT NULL DEFAULT true,
  sort_order     integer NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX paas_plans_slug_key ON paas_plans (slug);
CREATE INDEX paas_plans_active_idx ON paas_plans (sort_order, slug) WHERE active;
CREATE INDEX paas_plans_isolation_tier_idx ON paas_plans (isolation_tier);
CREATE TRIGGER paas_plans_updated_at BEFORE UPDATE ON paas_plans FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

ALTER TABLE organizations
  ADD COLUMN isolation_tier varchar(32) NOT NULL DEFAULT 'standard'
    CONSTRAINT organizations_isolation_tier_fk REFERENCES caas_isolation_tiers (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  -- NULL: no paid plan (free limits apply); a plan in use cannot be deleted, only deactivated
  ADD COLUMN plan_id uuid
    CONSTRAINT organizations_plan_fk REFERENCES paas_plans (id) ON DELETE RESTRICT;
CREATE INDEX organizations_plan_idx ON organizations (plan_id) WHERE plan_id IS NOT NULL;
CREATE INDEX organizations_isolation_tier_idx ON organizations (isolation_tier);

-- Docker Swarm nodes. Platform infrastructure, not tenant data; a node may be dedicated to one organization.
CREATE TABLE paas_nodes (
  id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  hostname                  varchar(253) NOT NULL CHECK (hostname ~ '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$'),
  address                   inet NOT NULL,
  region                    varchar(32) NOT NULL DEFAULT 'default' CHECK (region ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  -- NULL until the node has joined the swarm
  swarm_node_id             varchar(64) CHECK (swarm_node_id ~ '^[a-z0-9]+$'),
  role                      varchar(16) NOT NULL DEFAULT 'worker' CHECK (role IN ('manager', 'worker')),
  status                    varchar(16) NOT NULL DEFAULT 'provisioning'
                              CHECK (status IN ('provisioning', 'ready', 'down', 'disconnected', 'unknown', 'decommissioned')),
  availability              varchar(16) NOT NULL DEFAULT 'active' CHECK (availability IN ('active', 'pause', 'drain')),
  labels                    jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(labels) = 'object'),
  -- the node returns to the shared pool (after an operator drains it) when its organization is deleted
  dedicated_organization_id uuid REFERENCES organizations (id) ON DELETE SET NULL,
  cpu_capacity              numeric(8, 2) CHECK (cpu_capacity > 0),
  memory_capacity_mb        integer CHECK (memory_capacity_mb > 0),
  disk_capacity_gb          integer CHECK (disk_capacity_gb > 0),
  engine_version            varchar(32),
  os                        varchar(32),
  architecture              varchar(16),
  last_seen_at              timestamptz,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX paas_nodes_hostname_key ON paas_nodes (hostname);
CREATE UNIQUE INDEX paas_nodes_swarm_node_id_key ON paas_nodes (swarm_node_id);
CREATE INDEX paas_nodes_region_status_idx ON paas_nodes (region, status);
CREATE INDEX paas_nodes_dedicated_org_idx ON paas_nodes (dedicated_organization_id) WHERE dedicated_organization_id IS NOT NULL;
CREATE TRIGGER paas_nodes_updated_at BEFORE UPDATE ON paas_nodes FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- --------------------------------------------------------------------------------------------------------
-- Catalog: build stacks, buildpacks, templates
-- --------------------------------------------------------------------------------------------------------

CREATE TABLE paas_stacks (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug           varchar(63) NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name           varchar(100) NOT NULL CHECK (length(btrim(name)) > 0),
  description    text NOT NULL DEFAULT '',
  build_image    varchar(512) NOT NULL CHECK (build_image ~ '^\S+$'),
  run_image      varchar(512) NOT NULL CHECK (run_image ~ '^\S+$'),
  status         varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deprecated', 'retired')),
  -- the stack new apps get when none is named; at most one (index below)
  is_default     boolean NOT NULL DEFAULT false,
  end_of_life_at timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_stacks_default_active_check CHECK (NOT is_default OR status = 'active')
);
CREATE UNIQUE INDEX paas_stacks_slug_key ON paas_stacks (slug);
CREATE UNIQUE INDEX paas_stacks_default_key ON paas_stacks (is_default) WHERE is_default;
CREATE TRIGGER paas_stacks_updated_at BEFORE UPDATE ON paas_stacks FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

CREATE TABLE paas_buildpacks (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug        varchar(63) NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name        varchar(100) NOT NULL CHECK (length(btrim(name)) > 0),
  description text NOT NULL DEFAULT '',
  language    varchar(32) CHECK (language ~ '^[a-z0-9+#.-]+$'),
  source_type varchar(16) NOT NULL DEFAULT 'git' CHECK (source_type IN ('git', 'tarball', 'image', 'builtin')),
  source_url  varchar(2048) NOT NULL CHECK (source_url ~ '^\S+$'),
  -- git ref, tarball version or image tag; NULL tracks the default branch/latest
  version     varchar(64),
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX paas_buildpacks_slug_key ON paas_buildpacks (slug);
CREATE TRIGGER paas_buildpacks_updated_at BEFORE UPDATE ON paas_buildpacks FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- The buildpacks a stack tries, in detection order.
CREATE TABLE paas_stack_buildpacks (
  stack_id     uuid NOT NULL REFERENCES paas_stacks (id) ON DELETE CASCADE,
  -- a buildpack is removed from its stacks explicitly before it can be deleted
  buildpack_id uuid NOT NULL REFERENCES paas_buildpacks (id) ON DELETE RESTRICT,
  position     integer NOT NULL CHECK (position >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stack_id, buildpack_id),
  -- deferred so a reorder can swap positions inside one transaction
  CONSTRAINT paas_stack_buildpacks_position_key UNIQUE (stack_id, position) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX paas_stack_buildpacks_buildpack_idx ON paas_stack_buildpacks (buildpack_id);
CREATE TRIGGER paas_stack_buildpacks_updated_at BEFORE UPDATE ON paas_stack_buildpacks FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- One-click starting points (Render blueprints, Portainer app templates).
CREATE TABLE paas_templates (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug            varchar(63) NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name            varchar(100) NOT NULL CHECK (length(btrim(name)) > 0),
  description     text NOT NULL DEFAULT '',
  category        varchar(32) NOT NULL DEFAULT 'other' CHECK (category ~ '^[a-z0-9-]+$'),
  kind            varchar(16) NOT NULL CHECK (kind IN ('app', 'container')),
  icon_url        varchar(2048),
  source_repo_url varchar(2048) CHECK (source_repo_url ~ '^(https?|git|ssh)://\S+$'),
  image_ref       varchar(512) CHECK (image_ref ~ '^\S+$'),
  stack_id        uuid REFERENCES paas_stacks (id) ON DELETE SET NULL,
  default_plan_id uuid REFERENCES paas_plans (id) ON DELETE SET NULL,
  -- the container or environment spec to start from (ports, volumes, healthcheck, non-secret env)
  spec            jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(spec) = 'object'),
  -- the variables the user must or may fill in: [{"name": .., "description": .., "required": .., "secret": ..}]
  env_schema      jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(env_schema) = 'array'),
  active          boolean NOT NULL DEFAULT true,
  sort_order      integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_templates_source_check CHECK (
    (kind = 'container' AND image_ref IS NOT NULL)
    OR (kind = 'app' AND (source_repo_url IS NOT NULL OR image_ref IS NOT NULL)))
);
CREATE UNIQUE INDEX paas_templates_slug_key ON paas_templates (slug);
CREATE INDEX paas_templates_active_idx ON paas_templates (category, sort_order, slug) WHERE active;
CREATE INDEX paas_templates_stack_idx ON paas_templates (stack_id) WHERE stack_id IS NOT NULL;
CREATE INDEX paas_templates_plan_idx ON paas_templates (default_plan_id) WHERE default_plan_id IS NOT NULL;
CREATE TRIGGER paas_templates_updated_at BEFORE UPDATE ON paas_templates FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- --------------------------------------------------------------------------------------------------------
-- PaaS: apps, environments, releases, deployments, processes, runs
-- --------------------------------------------------------------------------------------------------------

CREATE TABLE paas_apps (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  -- user-facing, unique within the organization
  name            varchar(63) NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  -- globally unique DNS label used in default hostnames (<slug>.<apps domain>)
  slug            varchar(63) NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  description     text NOT NULL DEFAULT '',
  region          varchar(32) NOT NULL DEFAULT 'default' CHECK (region ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  -- a stack or plan in use cannot be deleted, only retired/deactivated
  stack_id        uuid REFERENCES paas_stacks (id) ON DELETE RESTRICT,
  plan_id         uuid REFERENCES paas_plans (id) ON DELETE RESTRICT,
  source_repo_url varchar(2048) CHECK (source_repo_url ~ '^(https?|git|ssh)://\S+$'),
  status          varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleting')),
  created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_apps_id_org_key UNIQUE (id, organization_id)
);
CREATE UNIQUE INDEX paas_apps_org_name_key ON paas_apps (organization_id, name);
CREATE UNIQUE INDEX paas_apps_slug_key ON paas_apps (slug);
CREATE INDEX paas_apps_org_created_idx ON paas_apps (organization_id, created_at DESC, id DESC);
CREATE INDEX paas_apps_stack_idx ON paas_apps (stack_id) WHERE stack_id IS NOT NULL;
CREATE INDEX paas_apps_plan_idx ON paas_apps (plan_id) WHERE plan_id IS NOT NULL;
CREATE TRIGGER paas_apps_updated_at BEFORE UPDATE ON paas_apps FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- A deployable instance of an app (production, staging, review-123): its own config, releases and processes.
CREATE TABLE paas_environments (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id    uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  app_id             uuid NOT NULL,
  name               varchar(63) NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  deploy_mode        varchar(16) NOT NULL DEFAULT 'buildpack' CHECK (deploy_mode IN ('buildpack', 'image')),
  -- deploy_mode image: the image to run; buildpack: NULL (releases carry the built image)
  image_ref          varchar(512) CHECK (image_ref ~ '^\S+$'),
  git_branch         varchar(255),
  auto_deploy        boolean NOT NULL DEFAULT false,
  -- NULL keeps the image's ENTRYPOINT/CMD
  entrypoint         text[],
  cmd                text[],
  ports              jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(ports) = 'array'),
  volumes            jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(volumes) = 'array'),
  healthcheck        jsonb CHECK (jsonb_typeof(healthcheck) = 'object'),
  -- config vars (may hold secrets): a sealed JSON object; the names alone are kept in clear for listing
  env_vars_sealed    text,
  env_var_names      text[] NOT NULL DEFAULT '{}',
  default_domain     varchar(253) CHECK (default_domain ~ '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$'),
  current_release_id uuid,
  status             varchar(16) NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'building', 'deploying', 'running', 'degraded', 'failed', 'stopped', 'deleting')),
  status_reason      text,
  created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_environments_id_org_key UNIQUE (id, organization_id),
  CONSTRAINT paas_environments_app_fk FOREIGN KEY (app_id, organization_id)
    REFERENCES paas_apps (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_environments_image_check CHECK (deploy_mode <> 'image' OR image_ref IS NOT NULL)
);
CREATE UNIQUE INDEX paas_environments_app_name_key ON paas_environments (app_id, name);
CREATE UNIQUE INDEX paas_environments_default_domain_key ON paas_environments (default_domain);
CREATE INDEX paas_environments_org_created_idx ON paas_environments (organization_id, created_at DESC, id DESC);
CREATE TRIGGER paas_environments_updated_at BEFORE UPDATE ON paas_environments FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- An immutable build + config pairing, numbered per environment (v1, v2, ...); rollback creates a new release.
CREATE TABLE paas_releases (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  environment_id      uuid NOT NULL,
  version             integer NOT NULL CHECK (version > 0),
  image_ref           varchar(512) CHECK (image_ref ~ '^\S+$'),
  image_digest        varchar(71) CHECK (image_digest ~ '^sha256:[0-9a-f]{64}$'),
  source_commit       varchar(64) CHECK (source_commit ~ '^[0-9a-f]{7,64}$'),
  -- the environment spec at release time (entrypoint, cmd, ports, volumes, healthcheck, processes); no secrets
  config              jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(config) = 'object'),
  -- the config vars at release time, sealed like paas_environments.env_vars_sealed
  env_vars_sealed     text,
  description         varchar(500) NOT NULL DEFAULT '',
  status              varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'building', 'succeeded', 'failed')),
  build_log_path      varchar(1024),
  rollback_of_version integer CHECK (rollback_of_version > 0),
  created_by          uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_releases_id_org_key UNIQUE (id, organization_id),
  CONSTRAINT paas_releases_environment_version_key UNIQUE (environment_id, version),
  CONSTRAINT paas_releases_environment_fk FOREIGN KEY (environment_id, organization_id)
    REFERENCES paas_environments (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_releases_image_check CHECK (status <> 'succeeded' OR image_ref IS NOT NULL)
);
CREATE INDEX paas_releases_org_created_idx ON paas_releases (organization_id, created_at DESC, id DESC);
CREATE TRIGGER paas_releases_updated_at BEFORE UPDATE ON paas_releases FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- The release an environment runs. NO ACTION (checked at statement end): the current release cannot be
-- deleted on its own, but deleting the environment takes both away together.
ALTER TABLE paas_environments ADD CONSTRAINT paas_environments_current_release_fk
  FOREIGN KEY (current_release_id, organization_id) REFERENCES paas_releases (id, organization_id) ON DELETE NO ACTION;
CREATE INDEX paas_environments_current_release_idx ON paas_environments (current_release_id) WHERE current_release_id IS NOT NULL;

-- Rolling a release out to the environment's processes.
CREATE TABLE paas_deployments (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  environment_id  uuid NOT NULL,
  -- NULL while the build that produces the release is still queued
  release_id      uuid,
  trigger_type    varchar(16) NOT NULL DEFAULT 'manual'
                    CHECK (trigger_type IN ('manual', 'git_push', 'api', 'rollback', 'config_change', 'scale', 'autodeploy')),
  status          varchar(16) NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'building', 'deploying', 'succeeded', 'failed', 'cancelled', 'rolled_back')),
  status_reason   text,
  image_digest    varchar(71) CHECK (image_digest ~ '^sha256:[0-9a-f]{64}$'),
  started_at      timestamptz,
  finished_at     timestamptz,
  created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_deployments_environment_fk FOREIGN KEY (environment_id, organization_id)
    REFERENCES paas_environments (id, organization_id) ON DELETE CASCADE,
  -- history of a release goes with it
  CONSTRAINT paas_deployments_release_fk FOREIGN KEY (release_id, organization_id)
    REFERENCES paas_releases (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_deployments_finished_check CHECK (finished_at IS NULL OR started_at IS NULL OR finished_at >= started_at),
  -- finished_at is set exactly when the deployment reaches a final status
  CONSTRAINT paas_deployments_terminal_check CHECK (
    (status IN ('succeeded', 'failed', 'cancelled', 'rolled_back')) = (finished_at IS NOT NULL))
);
CREATE INDEX paas_deployments_org_created_idx ON paas_deployments (organization_id, created_at DESC, id DESC);
CREATE INDEX paas_deployments_environment_idx ON paas_deployments (environment_id, created_at DESC, id DESC);
CREATE INDEX paas_deployments_release_idx ON paas_deployments (release_id) WHERE release_id IS NOT NULL;
-- one rollout in flight per environment
CREATE UNIQUE INDEX paas_deployments_in_flight_key ON paas_deployments (environment_id) WHERE status IN ('building', 'deploying');
CREATE TRIGGER paas_deployments_updated_at BEFORE UPDATE ON paas_deployments FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- Process types of an environment (Procfile entries): each becomes one Swarm service.
CREATE TABLE paas_processes (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  environment_id   uuid NOT NULL,
  name             varchar(63) NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  type             varchar(16) NOT NULL CHECK (type IN ('web', 'worker', 'cron', 'task')),
  -- NULL runs the image's default command
  command          text,
  quantity         integer NOT NULL DEFAULT 1 CHECK (quantity >= 0),
  -- the size of each replica; NULL uses the app's plan
  plan_id          uuid REFERENCES paas_plans (id) ON DELETE RESTRICT,
  -- five-field cron expression; required for cron processes and only for them
  schedule         varchar(100),
  port             integer CHECK (port BETWEEN 1 AND 65535),
  swarm_service_id varchar(64) CHECK (swarm_service_id ~ '^[a-z0-9]+$'),
  running_quantity integer NOT NULL DEFAULT 0 CHECK (running_quantity >= 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_processes_id_org_key UNIQUE (id, organization_id),
  CONSTRAINT paas_processes_environment_name_key UNIQUE (environment_id, name),
  CONSTRAINT paas_processes_environment_fk FOREIGN KEY (environment_id, organization_id)
    REFERENCES paas_environments (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_processes_schedule_check CHECK ((type = 'cron') = (schedule IS NOT NULL)),
  CONSTRAINT paas_processes_web_port_check CHECK (port IS NULL OR type = 'web')
);
CREATE UNIQUE INDEX paas_processes_swarm_service_key ON paas_processes (swarm_service_id);
CREATE INDEX paas_processes_org_created_idx ON paas_processes (organization_id, created_at DESC, id DESC);
CREATE INDEX paas_processes_plan_idx ON paas_processes (plan_id) WHERE plan_id IS NOT NULL;
CREATE TRIGGER paas_processes_updated_at BEFORE UPDATE ON paas_processes FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- One-off commands (heroku run): a single task against a release, kept as history.
CREATE TABLE paas_runs (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  environment_id   uuid NOT NULL,
  release_id       uuid,
  command          text NOT NULL CHECK (length(btrim(command)) > 0),
  attached         boolean NOT NULL DEFAULT false,
  plan_id          uuid REFERENCES paas_plans (id) ON DELETE RESTRICT,
  status           varchar(16) NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'starting', 'running', 'succeeded', 'failed', 'cancelled', 'timeout')),
  exit_code        integer,
  timeout_seconds  integer NOT NULL DEFAULT 3600 CHECK (timeout_seconds BETWEEN 1 AND 86400),
  swarm_service_id varchar(64) CHECK (swarm_service_id ~ '^[a-z0-9]+$'),
  started_at       timestamptz,
  finished_at      timestamptz,
  user_id          uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_runs_environment_fk FOREIGN KEY (environment_id, organization_id)
    REFERENCES paas_environments (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_runs_release_fk FOREIGN KEY (release_id, organization_id)
    REFERENCES paas_releases (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_runs_finished_check CHECK (finished_at IS NULL OR started_at IS NULL OR finished_at >= started_at),
  CONSTRAINT paas_runs_terminal_check CHECK (
    (status IN ('succeeded', 'failed', 'cancelled', 'timeout')) = (finished_at IS NOT NULL))
);
CREATE INDEX paas_runs_org_created_idx ON paas_runs (organization_id, created_at DESC, id DESC);
CREATE INDEX paas_runs_environment_idx ON paas_runs (environment_id, created_at DESC);
CREATE INDEX paas_runs_release_idx ON paas_runs (release_id) WHERE release_id IS NOT NULL;
CREATE INDEX paas_runs_plan_idx ON paas_runs (plan_id) WHERE plan_id IS NOT NULL;
CREATE INDEX paas_runs_active_idx ON paas_runs (created_at) WHERE status IN ('pending', 'starting', 'running');
CREATE TRIGGER paas_runs_updated_at BEFORE UPDATE ON paas_runs FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- --------------------------------------------------------------------------------------------------------
-- CaaS: registry credentials, containers and their secrets
-- --------------------------------------------------------------------------------------------------------

CREATE TABLE caas_registry_credentials (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name            varchar(63) NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  -- host[:port], e.g. ghcr.io or registry.example.com:5000
  registry_host   varchar(253) NOT NULL CHECK (registry_host ~ '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$'),
  username        varchar(255) NOT NULL CHECK (length(username) > 0),
  password_sealed text NOT NULL,
  last_used_at    timestamptz,
  created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT caas_registry_credentials_id_org_key UNIQUE (id, organization_id)
);
CREATE UNIQUE INDEX caas_registry_credentials_org_name_key ON caas_registry_credentials (organization_id, name);
CREATE INDEX caas_registry_credentials_org_host_idx ON caas_registry_credentials (organization_id, registry_host);
CREATE TRIGGER caas_registry_credentials_updated_at BEFORE UPDATE ON caas_registry_credentials FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- A user container: one Swarm service.
CREATE TABLE paas_containers (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id        uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name                   varchar(63) NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  description            text NOT NULL DEFAULT '',
  image_ref              varchar(512) NOT NULL CHECK (image_ref ~ '^\S+$'),
  -- the digest the tag resolved to at the last deploy; what actually runs
  image_digest           varchar(71) CHECK (image_digest ~ '^sha256:[0-9a-f]{64}$'),
  registry_credential_id uuid,
  -- NULL keeps the image's ENTRYPOINT/CMD
  entrypoint             text[],
  cmd                    text[],
  working_dir            varchar(4096),
  -- non-secret environment only; secret values live sealed in caas_container_secrets
  env_vars               jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(env_vars) = 'object'),
  -- secret metadata (names, targets), never values: [{"name": "DB_PASSWORD", "target": "env"}]
  secrets                jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(secrets) = 'array'),
  ports                  jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(ports) = 'array'),
  volumes                jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(volumes) = 'array'),
  healthcheck            jsonb CHECK (jsonb_typeof(healthcheck) = 'object'),
  labels                 jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(labels) = 'object'),
  cpu                    numeric(6, 2) NOT NULL CHECK (cpu > 0),
  memory_mb              integer NOT NULL CHECK (memory_mb >= 6),
  -- replicas: what the user configured; desired: what the scheduler is asked for (0 while stopped,
  -- autoscaler output); running: what Swarm last reported
  replicas               integer NOT NULL DEFAULT 1 CHECK (replicas >= 0),
  desired_replicas       integer NOT NULL DEFAULT 0 CHECK (desired_replicas >= 0),
  running_replicas       integer NOT NULL DEFAULT 0 CHECK (running_replicas >= 0),
  -- Swarm restart conditions
  restart_policy         varchar(16) NOT NULL DEFAULT 'any' CHECK (restart_policy IN ('none', 'on-failure', 'any')),
  stop_grace_seconds     integer NOT NULL DEFAULT 10 CHECK (stop_grace_seconds BETWEEN 0 AND 3600),
  plan_id                uuid REFERENCES paas_plans (id) ON DELETE RESTRICT,
  region                 varchar(32) NOT NULL DEFAULT 'default' CHECK (region ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  status                 varchar(16) NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'deploying', 'running', 'degraded', 'failed', 'stopped', 'deleting')),
  status_reason          text,
  swarm_service_id       varchar(64) CHECK (swarm_service_id ~ '^[a-z0-9]+$'),
  default_domain         varchar(253) CHECK (default_domain ~ '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$'),
  -- published addresses as observed: [{"protocol": "https", "url": ..}, {"protocol": "tcp", "host": .., "port": ..}]
  endpoints              jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(endpoints) = 'array'),
  -- the spec before the last change, for one-step rollback
  previous_spec          jsonb CHECK (jsonb_typeof(previous_spec) = 'object'),
  -- bumped on every spec change; optimistic concurrency for concurrent edits
  spec_version           integer NOT NULL DEFAULT 1 CHECK (spec_version > 0),
  deployed_at            timestamptz,
  created_by             uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_containers_id_org_key UNIQUE (id, organization_id),
  -- a credential in use cannot be deleted (NO ACTION: deleting the organization removes both)
  CONSTRAINT paas_containers_registry_credential_fk FOREIGN KEY (registry_credential_id, organization_id)
    REFERENCES caas_registry_credentials (id, organization_id) ON DELETE NO ACTION
);
CREATE UNIQUE INDEX paas_containers_org_name_key ON paas_containers (organization_id, name);
CREATE UNIQUE INDEX paas_containers_swarm_service_key ON paas_containers (swarm_service_id);
CREATE UNIQUE INDEX paas_containers_default_domain_key ON paas_containers (default_domain);
CREATE INDEX paas_containers_org_created_idx ON paas_containers (organization_id, created_at DESC, id DESC);
CREATE INDEX paas_containers_org_status_idx ON paas_containers (organization_id, status);
CREATE INDEX paas_containers_registry_credential_idx ON paas_containers (registry_credential_id) WHERE registry_credential_id IS NOT NULL;
CREATE INDEX paas_containers_plan_idx ON paas_containers (plan_id) WHERE plan_id IS NOT NULL;
-- the reconciler's work list
CREATE INDEX paas_containers_transitional_idx ON paas_containers (updated_at) WHERE status IN ('pending', 'deploying', 'deleting');
CREATE TRIGGER paas_containers_updated_at BEFORE UPDATE ON paas_containers FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

CREATE TABLE caas_container_secrets (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  container_id     uuid NOT NULL,
  name             varchar(255) NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]*$'),
  -- env: exported as a variable; file: mounted under /run/secrets/<name>
  target           varchar(8) NOT NULL DEFAULT 'env' CHECK (target IN ('env', 'file')),
  sealed_value     text NOT NULL,
  -- Docker secrets are immutable: a changed value is a new secret, so the version is part of its name
  version          integer NOT NULL DEFAULT 1 CHECK (version > 0),
  docker_secret_id varchar(64) CHECK (docker_secret_id ~ '^[a-z0-9]+$'),
  created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT caas_container_secrets_container_name_key UNIQUE (container_id, name),
  CONSTRAINT caas_container_secrets_container_fk FOREIGN KEY (container_id, organization_id)
    REFERENCES paas_containers (id, organization_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX caas_container_secrets_docker_secret_key ON caas_container_secrets (docker_secret_id);
CREATE INDEX caas_container_secrets_org_container_idx ON caas_container_secrets (organization_id, container_id);
CREATE TRIGGER caas_container_secrets_updated_at BEFORE UPDATE ON caas_container_secrets FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- Horizontal autoscaling of a process or a container.
CREATE TABLE paas_autoscaling_rules (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  process_id       uuid,
  container_id     uuid,
  metric           varchar(16) NOT NULL CHECK (metric IN ('cpu', 'memory', 'rps')),
  -- cpu/memory: average utilisation percent per replica; rps: requests per second per replica
  target_value     numeric(12, 2) NOT NULL CHECK (target_value > 0),
  min_replicas     integer NOT NULL DEFAULT 1 CHECK (min_replicas >= 0),
  max_replicas     integer NOT NULL CHECK (max_replicas >= 1),
  cooldown_seconds integer NOT NULL DEFAULT 300 CHECK (cooldown_seconds BETWEEN 0 AND 86400),
  enabled          boolean NOT NULL DEFAULT true,
  last_scaled_at   timestamptz,
  last_replicas    integer CHECK (last_replicas >= 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_autoscaling_rules_process_fk FOREIGN KEY (process_id, organization_id)
    REFERENCES paas_processes (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_autoscaling_rules_container_fk FOREIGN KEY (container_id, organization_id)
    REFERENCES paas_containers (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_autoscaling_rules_target_check CHECK (num_nonnulls(process_id, container_id) = 1),
  CONSTRAINT paas_autoscaling_rules_range_check CHECK (max_replicas >= min_replicas),
  CONSTRAINT paas_autoscaling_rules_percent_check CHECK (metric = 'rps' OR target_value <= 100)
);
-- one rule per metric per target
CREATE UNIQUE INDEX paas_autoscaling_rules_process_metric_key ON paas_autoscaling_rules (process_id, metric) WHERE process_id IS NOT NULL;
CREATE UNIQUE INDEX paas_autoscaling_rules_container_metric_key ON paas_autoscaling_rules (container_id, metric) WHERE container_id IS NOT NULL;
CREATE INDEX paas_autoscaling_rules_org_created_idx ON paas_autoscaling_rules (organization_id, created_at DESC, id DESC);
CREATE TRIGGER paas_autoscaling_rules_updated_at BEFORE UPDATE ON paas_autoscaling_rules FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- --------------------------------------------------------------------------------------------------------
-- Domains and certificates
-- --------------------------------------------------------------------------------------------------------

CREATE TABLE paas_domains (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id         uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  hostname                varchar(253) NOT NULL CHECK (hostname ~ '^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$'),
  -- exactly one target
  container_id            uuid,
  environment_id          uuid,
  path_prefix             varchar(255) NOT NULL DEFAULT '/' CHECK (path_prefix ~ '^/\S*$'),
  -- published as a TXT record _skypanel-challenge.<hostname> to prove control of the name
  verification_token      varchar(64) NOT NULL CHECK (verification_token ~ '^[A-Za-z0-9_-]{16,64}$'),
  verified_at             timestamptz,
  last_checked_at         timestamptz,
  verification_error      text,
  cert_status             varchar(16) NOT NULL DEFAULT 'none' CHECK (cert_status IN ('none', 'pending', 'issued', 'failed', 'renewing')),
  cert_status_reason      text,
  cert_issuer             varchar(255),
  cert_not_after          timestamptz,
  cert_chain_pem          text,
  cert_private_key_sealed text,
  created_by              uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_domains_container_fk FOREIGN KEY (container_id, organization_id)
    REFERENCES paas_containers (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_domains_environment_fk FOREIGN KEY (environment_id, organization_id)
    REFERENCES paas_environments (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_domains_target_check CHECK (num_nonnulls(container_id, environment_id) = 1),
  CONSTRAINT paas_domains_cert_check CHECK (
    cert_status NOT IN ('issued', 'renewing')
    OR (cert_chain_pem IS NOT NULL AND cert_private_key_sealed IS NOT NULL AND cert_not_after IS NOT NULL))
);
-- a hostname belongs to whoever verified it first; unverified claims may coexist (each org proves it separately)
CREATE UNIQUE INDEX paas_domains_verified_hostname_key ON paas_domains (lower(hostname)) WHERE verified_at IS NOT NULL;
CREATE UNIQUE INDEX paas_domains_org_hostname_key ON paas_domains (organization_id, lower(hostname), path_prefix);
CREATE INDEX paas_domains_org_created_idx ON paas_domains (organization_id, created_at DESC, id DESC);
CREATE INDEX paas_domains_container_idx ON paas_domains (container_id) WHERE container_id IS NOT NULL;
CREATE INDEX paas_domains_environment_idx ON paas_domains (environment_id) WHERE environment_id IS NOT NULL;
-- the certificate renewer's work list
CREATE INDEX paas_domains_cert_expiry_idx ON paas_domains (cert_not_after) WHERE cert_status IN ('issued', 'renewing');
CREATE TRIGGER paas_domains_updated_at BEFORE UPDATE ON paas_domains FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- --------------------------------------------------------------------------------------------------------
-- Volumes and snapshots
-- --------------------------------------------------------------------------------------------------------

CREATE TABLE paas_volumes (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id    uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name               varchar(63) NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  size_gb            integer NOT NULL CHECK (size_gb > 0),
  driver             varchar(64) NOT NULL DEFAULT 'local' CHECK (driver ~ '^[a-z0-9][a-z0-9._/:-]*$'),
  driver_options     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(driver_options) = 'object'),
  -- the name on the Docker side, chosen by the platform so tenants cannot collide
  docker_volume_name varchar(255) NOT NULL CHECK (docker_volume_name ~ '^[a-zA-Z0-9][a-zA-Z0-9_.-]+$'),
  region             varchar(32) NOT NULL DEFAULT 'default' CHECK (region ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  -- local volumes live on one node and pin their containers to it; losing the node record unpins
  node_id            uuid REFERENCES paas_nodes (id) ON DELETE SET NULL,
  status             varchar(16) NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'available', 'in_use', 'resizing', 'deleting', 'failed')),
  status_reason      text,
  created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_volumes_id_org_key UNIQUE (id, organization_id)
);
CREATE UNIQUE INDEX paas_volumes_org_name_key ON paas_volumes (organization_id, name);
CREATE UNIQUE INDEX paas_volumes_docker_name_key ON paas_volumes (docker_volume_name);
CREATE INDEX paas_volumes_org_created_idx ON paas_volumes (organization_id, created_at DESC, id DESC);
CREATE INDEX paas_volumes_node_idx ON paas_volumes (node_id) WHERE node_id IS NOT NULL;
CREATE TRIGGER paas_volumes_updated_at BEFORE UPDATE ON paas_volumes FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

CREATE TABLE caas_volume_snapshots (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  -- NO ACTION: a volume with snapshots is deleted only after its snapshots (and their stored archives) are,
  -- so no archive is orphaned; deleting the organization removes both
  volume_id       uuid NOT NULL,
  description     varchar(500) NOT NULL DEFAULT '',
  status          varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  size_bytes      bigint CHECK (size_bytes >= 0),
  sha256          char(64) CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  storage_path    varchar(1024),
  error           text,
  started_at      timestamptz,
  completed_at    timestamptz,
  created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT caas_volume_snapshots_volume_fk FOREIGN KEY (volume_id, organization_id)
    REFERENCES paas_volumes (id, organization_id) ON DELETE NO ACTION,
  CONSTRAINT caas_volume_snapshots_completed_check CHECK (
    status <> 'completed' OR (size_bytes IS NOT NULL AND sha256 IS NOT NULL AND storage_path IS NOT NULL AND completed_at IS NOT NULL)),
  CONSTRAINT caas_volume_snapshots_failed_check CHECK (status <> 'failed' OR error IS NOT NULL)
);
CREATE INDEX caas_volume_snapshots_org_volume_idx ON caas_volume_snapshots (organization_id, volume_id, created_at DESC, id DESC);
CREATE INDEX caas_volume_snapshots_volume_idx ON caas_volume_snapshots (volume_id);
-- at most one snapshot of a volume in progress
CREATE UNIQUE INDEX caas_volume_snapshots_in_progress_key ON caas_volume_snapshots (volume_id) WHERE status IN ('pending', 'running');
CREATE TRIGGER caas_volume_snapshots_updated_at BEFORE UPDATE ON caas_volume_snapshots FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- --------------------------------------------------------------------------------------------------------
-- Add-ons, webhooks, usage
-- --------------------------------------------------------------------------------------------------------

CREATE TABLE paas_addon_plans (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- the service kind, e.g. postgresql, redis
  provider      varchar(63) NOT NULL CHECK (provider ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  slug          varchar(63) NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name          varchar(100) NOT NULL CHECK (length(btrim(name)) > 0),
  description   text NOT NULL DEFAULT '',
  price_hourly  numeric(12, 6) NOT NULL CHECK (price_hourly >= 0),
  price_monthly numeric(12, 2) NOT NULL CHECK (price_monthly >= 0),
  currency      char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  -- provider-specific sizing: {"storage_gb": 10, "connections": 20, ...}
  limits        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(limits) = 'object'),
  active        boolean NOT NULL DEFAULT true,
  sort_order    integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX paas_addon_plans_provider_slug_key ON paas_addon_plans (provider, slug);
CREATE TRIGGER paas_addon_plans_updated_at BEFORE UPDATE ON paas_addon_plans FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

CREATE TABLE paas_addons (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  app_id               uuid NOT NULL,
  -- NULL: attached to every environment of the app
  environment_id       uuid,
  name                 varchar(63) NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  -- a plan with live add-ons is deactivated, never deleted
  plan_id              uuid NOT NULL REFERENCES paas_addon_plans (id) ON DELETE RESTRICT,
  provider             varchar(63) NOT NULL CHECK (provider ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  provider_resource_id varchar(255),
  -- the variable the connection string is exported as, e.g. DATABASE_URL
  config_var_prefix    varchar(63) NOT NULL CHECK (config_var_prefix ~ '^[A-Z_][A-Z0-9_]*$'),
  status               varchar(16) NOT NULL DEFAULT 'provisioning'
                         CHECK (status IN ('provisioning', 'available', 'suspended', 'deprovisioning', 'failed')),
  status_reason        text,
  -- credentials and connection strings, sealed JSON object
  config_sealed        text,
  created_by           uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_addons_app_name_key UNIQUE (app_id, name),
  CONSTRAINT paas_addons_app_fk FOREIGN KEY (app_id, organization_id)
    REFERENCES paas_apps (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_addons_environment_fk FOREIGN KEY (environment_id, organization_id)
    REFERENCES paas_environments (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX paas_addons_org_created_idx ON paas_addons (organization_id, created_at DESC, id DESC);
CREATE INDEX paas_addons_environment_idx ON paas_addons (environment_id) WHERE environment_id IS NOT NULL;
CREATE INDEX paas_addons_plan_idx ON paas_addons (plan_id);
CREATE TRIGGER paas_addons_updated_at BEFORE UPDATE ON paas_addons FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- Outgoing event notifications, signed with an HMAC of the sealed secret.
CREATE TABLE paas_webhooks (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  -- NULL: every app (and container) of the organization
  app_id               uuid,
  description          varchar(255) NOT NULL DEFAULT '',
  url                  varchar(2048) NOT NULL CHECK (url ~ '^https?://\S+$'),
  secret_sealed        text NOT NULL,
  -- event names like deployment.succeeded, or * for all
  events               text[] NOT NULL,
  active               boolean NOT NULL DEFAULT true,
  last_delivery_at     timestamptz,
  last_delivery_status varchar(16) CHECK (last_delivery_status IN ('succeeded', 'failed')),
  last_response_code   integer CHECK (last_response_code BETWEEN 100 AND 599),
  consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
  created_by           uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_webhooks_app_fk FOREIGN KEY (app_id, organization_id)
    REFERENCES paas_apps (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_webhooks_events_check CHECK (
    cardinality(events) > 0
    AND array_position(events, NULL) IS NULL
    AND array_to_string(events, ',') ~ '^(\*|[a-z_]+(\.[a-z_*]+)+)(,(\*|[a-z_]+(\.[a-z_*]+)+))*$')
);
CREATE INDEX paas_webhooks_org_created_idx ON paas_webhooks (organization_id, created_at DESC, id DESC);
CREATE INDEX paas_webhooks_app_idx ON paas_webhooks (app_id) WHERE app_id IS NOT NULL;
CREATE TRIGGER paas_webhooks_updated_at BEFORE UPDATE ON paas_webhooks FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- Metered usage per resource per hour. resource_id has no foreign key on purpose: usage (what is billed)
-- outlives the container, volume or add-on it measured. Writers upsert on the unique key, so re-running an
-- hour's collection is idempotent.
CREATE TABLE paas_usage (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  resource_type   varchar(16) NOT NULL
                    CHECK (resource_type IN ('container', 'process', 'run', 'volume', 'snapshot', 'addon', 'domain', 'environment')),
  resource_id     uuid NOT NULL,
  metric          varchar(32) NOT NULL
                    CHECK (metric IN ('cpu_seconds', 'memory_mb_seconds', 'egress_bytes', 'ingress_bytes', 'storage_gb_hours', 'requests')),
  -- start of the UTC hour the quantity was measured in
  period_start    timestamptz NOT NULL,
  quantity        numeric(20, 6) NOT NULL DEFAULT 0 CHECK (quantity >= 0),
  amount          numeric(14, 6) NOT NULL DEFAULT 0 CHECK (amount >= 0),
  currency        char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  -- set when the amount was debited from the organization's wallet; a debited row is not charged twice
  billed_at       timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT paas_usage_period_key UNIQUE (organization_id, resource_type, resource_id, metric, period_start),
  -- compared in UTC so the check does not depend on the session time zone
  CONSTRAINT paas_usage_hour_aligned_check CHECK (date_trunc('hour', period_start AT TIME ZONE 'UTC') = period_start AT TIME ZONE 'UTC')
);
CREATE INDEX paas_usage_org_period_idx ON paas_usage (organization_id, period_start DESC);
CREATE INDEX paas_usage_unbilled_idx ON paas_usage (organization_id, period_start) WHERE billed_at IS NULL;
CREATE TRIGGER paas_usage_updated_at BEFORE UPDATE ON paas_usage FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- --------------------------------------------------------------------------------------------------------
-- CaaS policy: images, network, exec audit
-- --------------------------------------------------------------------------------------------------------

-- Which images an organization may run. One row per organization; no row means the platform default.
-- Patterns are shell-style globs matched against the normalised reference (registry/repository:tag).
-- An empty allowed_registries/allowed_patterns list allows everything not blocked.
CREATE TABLE caas_image_policies (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id    uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  allowed_registries text[] NOT NULL DEFAULT '{}',
  allowed_patterns   text[] NOT NULL DEFAULT '{}',
  blocked_patterns   text[] NOT NULL DEFAULT '{}',
  -- refuse tags; every image must be pinned by @sha256: digest
  require_digest     boolean NOT NULL DEFAULT false,
  updated_by         uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT caas_image_policies_no_nulls_check CHECK (
    array_position(allowed_registries, NULL) IS NULL
    AND array_position(allowed_patterns, NULL) IS NULL
    AND array_position(blocked_patterns, NULL) IS NULL)
);
CREATE UNIQUE INDEX caas_image_policies_org_key ON caas_image_policies (organization_id);
CREATE TRIGGER caas_image_policies_updated_at BEFORE UPDATE ON caas_image_policies FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- Network confinement of an organization's containers. One row per organization; traffic between
-- organizations is always denied regardless of this policy.
CREATE TABLE caas_network_policies (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id        uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  -- deny: only allowed_egress_cidrs/hosts are reachable; allow: everything except platform-internal ranges
  egress_mode            varchar(8) NOT NULL DEFAULT 'allow' CHECK (egress_mode IN ('allow', 'deny')),
  allowed_egress_cidrs   cidr[] NOT NULL DEFAULT '{}',
  allowed_egress_hosts   text[] NOT NULL DEFAULT '{}',
  -- public: through the edge router; private: only from the organization's own containers;
  -- allowlist: public but only from allowed_ingress_cidrs
  ingress_mode           varchar(16) NOT NULL DEFAULT 'public' CHECK (ingress_mode IN ('public', 'private', 'allowlist')),
  allowed_ingress_cidrs  cidr[] NOT NULL DEFAULT '{}',
  allow_intra_org        boolean NOT NULL DEFAULT true,
  updated_by             uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT caas_network_policies_no_nulls_check CHECK (
    array_position(allowed_egress_cidrs, NULL) IS NULL
    AND array_position(allowed_egress_hosts, NULL) IS NULL
    AND array_position(allowed_ingress_cidrs, NULL) IS NULL),
  CONSTRAINT caas_network_policies_allowlist_check CHECK (ingress_mode <> 'allowlist' OR cardinality(allowed_ingress_cidrs) > 0)
);
CREATE UNIQUE INDEX caas_network_policies_org_key ON caas_network_policies (organization_id);
CREATE TRIGGER caas_network_policies_updated_at BEFORE UPDATE ON caas_network_policies FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- One row per interactive or one-shot exec into a container. container_id and user_id deliberately have no
-- foreign keys: the trail must still name the container and the user after either is deleted (the same
-- reason activity_logs.target_id has none). The row is written when the session starts, closed once, and
-- frozen after that (caas_exec_audit_guard).
CREATE TABLE caas_exec_audit (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  container_id        uuid NOT NULL,
  container_name      varchar(63) NOT NULL,
  user_id             uuid NOT NULL,
  -- the Swarm task and Docker container the session ran in
  task_id             varchar(64) CHECK (task_id ~ '^[a-z0-9]+$'),
  docker_container_id varchar(64) CHECK (docker_container_id ~ '^[a-f0-9]+$'),
  command             text[] NOT NULL CHECK (cardinality(command) > 0),
  tty                 boolean NOT NULL DEFAULT false,
  client_ip           inet,
  started_at          timestamptz NOT NULL DEFAULT now(),
  ended_at            timestamptz,
  duration_ms         bigint CHECK (duration_ms >= 0),
  exit_code           integer,
  status              varchar(16) NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed', 'killed', 'timeout')),
  end_reason          varchar(255),
  bytes_in            bigint NOT NULL DEFAULT 0 CHECK (bytes_in >= 0),
  bytes_out           bigint NOT NULL DEFAULT 0 CHECK (bytes_out >= 0),
  -- full session bytes when the organization's isolation tier has transcript_exec
  transcript          bytea,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT caas_exec_audit_ended_check CHECK ((status = 'running') = (ended_at IS NULL)),
  CONSTRAINT caas_exec_audit_duration_check CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX caas_exec_audit_org_container_started_idx ON caas_exec_audit (organization_id, container_id, started_at DESC);
CREATE INDEX caas_exec_audit_org_started_idx ON caas_exec_audit (organization_id, started_at DESC, id DESC);
CREATE INDEX caas_exec_audit_org_user_started_idx ON caas_exec_audit (organization_id, user_id, started_at DESC);
-- sessions left open by a crashed proxy, for the reaper
CREATE INDEX caas_exec_audit_running_idx ON caas_exec_audit (started_at) WHERE status = 'running';
CREATE TRIGGER caas_exec_audit_updated_at BEFORE UPDATE ON caas_exec_audit FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- A closed session is final: nothing may change except attaching the transcript once (it is uploaded after
-- the session ends).
CREATE FUNCTION caas_exec_audit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  probe caas_exec_audit;
BEGIN
  IF OLD.status <> 'running' THEN
    probe := NEW;
    probe.updated_at := OLD.updated_at;
    IF OLD.transcript IS NULL THEN
      probe.transcript := NULL;
    END IF;
    IF probe IS DISTINCT FROM OLD THEN
      RAISE EXCEPTION 'exec session % has ended; its audit record is final', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
-- named to sort before caas_exec_audit_updated_at (row triggers fire in name order)
CREATE TRIGGER caas_exec_audit_guard BEFORE UPDATE ON caas_exec_audit FOR EACH ROW EXECUTE FUNCTION caas_exec_audit_guard();
