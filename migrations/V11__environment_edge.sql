-- Environments get the edge features containers have. Their edge settings live on the environment, not on a
-- process row, so they hold before the first deploy and survive any release (the web process row may be replaced);
-- the edge reads them for the environment's web process. Same meaning as the paas_containers columns of V7.
ALTER TABLE paas_environments
  ADD COLUMN maintenance   boolean NOT NULL DEFAULT false,
  ADD COLUMN edge_settings jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(edge_settings) = 'object');

-- the edge's metering rows of a workload, newest hour first (the metrics endpoints read a workload's last hours)
CREATE INDEX paas_usage_resource_period_idx ON paas_usage (resource_id, period_start DESC);
