-- Add-ons (issue 12): typed sizing on the add-on catalog, the runtime objects of each add-on, its attachments to
-- environments, and the environment's choice of credential delivery.
--
-- Sizing lives in typed columns rather than paas_addon_plans.limits (which stays for provider extras): the
-- orchestrator needs memory and CPU as numbers, and the catalog shows them as is.
ALTER TABLE paas_addon_plans
  ADD COLUMN version               varchar(32) NOT NULL DEFAULT '' CHECK (version ~ '^[0-9A-Za-z.-]*$'),
  ADD COLUMN memory_mb             integer NOT NULL DEFAULT 256 CHECK (memory_mb BETWEEN 32 AND 1048576),
  ADD COLUMN cpu                   numeric(6, 3) NOT NULL DEFAULT 0.5 CHECK (cpu > 0 AND cpu <= 256),
  ADD COLUMN storage_gb            integer NOT NULL DEFAULT 1 CHECK (storage_gb BETWEEN 1 AND 65536),
  ADD COLUMN backup_retention_days integer NOT NULL DEFAULT 7 CHECK (backup_retention_days BETWEEN 0 AND 3650),
  ADD COLUMN backup_schedule_hours integer NOT NULL DEFAULT 24 CHECK (backup_schedule_hours BETWEEN 0 AND 8760);

INSERT INTO paas_addon_plans (provider, slug, name, description, price_hourly, price_monthly, version, memory_mb, cpu, storage_gb,
                              backup_retention_days, backup_schedule_hours, sort_order)
VALUES ('postgresql', 'postgresql-mini', 'PostgreSQL Mini', 'PostgreSQL 15, 256 MB', 0.007, 5, '15', 256, 0.5, 1, 7, 24, 10),
       ('postgresql', 'postgresql-basic', 'PostgreSQL Basic', 'PostgreSQL 15, 512 MB', 0.013, 9, '15', 512, 1, 5, 14, 24, 11),
       ('mysql', 'mysql-mini', 'MySQL Mini', 'MariaDB 10.11, 256 MB', 0.007, 5, '10.11', 256, 0.5, 1, 7, 24, 20),
       ('mysql', 'mysql-basic', 'MySQL Basic', 'MariaDB 10.11, 512 MB', 0.013, 9, '10.11', 512, 1, 5, 14, 24, 21),
       ('redis', 'redis-mini', 'Redis Mini', 'Redis 7, 64 MB', 0.004, 3, '7', 64, 0.25, 1, 3, 24, 30),
       ('redis', 'redis-basic', 'Redis Basic', 'Redis 7, 256 MB', 0.010, 7, '7', 256, 0.5, 1, 7, 24, 31)
ON CONFLICT (provider, slug) DO NOTHING;

-- the runtime objects of an add-on: service addon-<id>, network and volume skypanel-addon-<id>, password secret
ALTER TABLE paas_addons
  ADD COLUMN swarm_service_id    varchar(64),
  ADD COLUMN network_id          varchar(64),
  ADD COLUMN password_secret_id  varchar(64),
  -- the Swarm secret holding the connection URL attached environments mount (one per credentials version)
  ADD COLUMN url_secret_id       varchar(64),
  ADD COLUMN credentials_version integer NOT NULL DEFAULT 1,
  ADD COLUMN available_at        timestamptz;
COMMENT ON COLUMN paas_addons.environment_id IS 'the environment the add-on was created in (attached to it from the start)';
COMMENT ON COLUMN paas_addons.config_var_prefix IS 'the URL variable attached environments get, e.g. DATABASE_URL';

-- lets rows of other tables reference an add-on only together with its own organization
ALTER TABLE paas_addons ADD CONSTRAINT paas_addons_id_org_key UNIQUE (id, organization_id);

CREATE TABLE paas_addon_attachments (
  addon_id        uuid NOT NULL,
  environment_id  uuid NOT NULL,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (addon_id, environment_id),
  CONSTRAINT paas_addon_attachments_addon_fk FOREIGN KEY (addon_id, organization_id)
    REFERENCES paas_addons (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_addon_attachments_environment_fk FOREIGN KEY (environment_id, organization_id)
    REFERENCES paas_environments (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX paas_addon_attachments_environment_idx ON paas_addon_attachments (environment_id);
CREATE INDEX paas_addon_attachments_org_idx ON paas_addon_attachments (organization_id, addon_id);

ALTER TABLE paas_environments ADD COLUMN addon_env_credentials boolean NOT NULL DEFAULT true;
COMMENT ON COLUMN paas_environments.addon_env_credentials IS
  'attached add-ons'' URLs also as plain environment variables; false: only the mounted secret file and <VAR>_FILE';
