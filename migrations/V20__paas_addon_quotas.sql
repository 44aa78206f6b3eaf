-- Add-on quotas (issue 12, operations): how many add-ons an organization's plan allows. Their memory is capped like
-- one container's (memory per container, plan x tier) and their storage counts against max_volume_gb together with
-- the organization's volumes; both read the columns that exist.
ALTER TABLE paas_plans ADD COLUMN max_addons integer NOT NULL DEFAULT 2 CHECK (max_addons >= 0);
COMMENT ON COLUMN paas_plans.max_addons IS 'add-ons (all kinds, all apps) an organization on this plan may have';

UPDATE paas_plans SET max_addons = CASE slug
    WHEN 'hobby' THEN 2
    WHEN 'basic' THEN 5
    WHEN 'standard' THEN 20
    WHEN 'performance' THEN 50
    ELSE max_addons END;
