-- Add-on backups and restores (issue 12, backups). A backup row outlives its add-on: it carries what a restore into
-- a new add-on needs (service, version, app, environment, plan), so the add-on row can go as before.
ALTER TABLE paas_addons DROP CONSTRAINT IF EXISTS paas_addons_status_check;
ALTER TABLE paas_addons ADD CONSTRAINT paas_addons_status_check
  CHECK (status IN ('provisioning', 'available', 'suspended', 'deprovisioning', 'failed', 'restoring'));
-- the caller's DELETE ...?skip_final_backup, kept so a removal resumed after a restart honours it
ALTER TABLE paas_addons ADD COLUMN skip_final_backup boolean NOT NULL DEFAULT false;

CREATE TABLE paas_addon_backups (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  -- no foreign key: the backups of a deleted add-on stay listable and restorable
  addon_id        uuid NOT NULL,
  addon_name      varchar(63) NOT NULL,
  app_id          uuid NOT NULL,
  environment_id  uuid,
  plan_id         uuid NOT NULL REFERENCES paas_addon_plans (id) ON DELETE RESTRICT,
  service         varchar(63) NOT NULL,
  version         varchar(32) NOT NULL,
  kind            varchar(16) NOT NULL CHECK (kind IN ('manual', 'scheduled', 'final')),
  status          varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  size_bytes      bigint,
  sha256          char(64),
  error           text,
  created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  -- NULL: kept until deleted (a plan with backup_retention_days = 0)
  expires_at      timestamptz,
  CONSTRAINT paas_addon_backups_id_org_key UNIQUE (id, organization_id)
);
CREATE INDEX paas_addon_backups_org_idx ON paas_addon_backups (organization_id, addon_id);
CREATE INDEX paas_addon_backups_addon_idx ON paas_addon_backups (addon_id, created_at DESC);
CREATE INDEX paas_addon_backups_expires_idx ON paas_addon_backups (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE paas_addon_restores (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  backup_id       uuid NOT NULL,
  -- the add-on restored into (the backup's own one, or a new one)
  addon_id        uuid NOT NULL,
  target          varchar(8) NOT NULL CHECK (target IN ('same', 'new')),
  status          varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  error           text,
  created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  CONSTRAINT paas_addon_restores_backup_fk FOREIGN KEY (backup_id, organization_id)
    REFERENCES paas_addon_backups (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX paas_addon_restores_org_idx ON paas_addon_restores (organization_id, addon_id);
CREATE INDEX paas_addon_restores_addon_idx ON paas_addon_restores (addon_id, created_at DESC);
