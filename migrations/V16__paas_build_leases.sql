-- Durable build queue (issue 11, "Queue and lifecycle"): paas_builds is the queue. A row is leased by the control
-- plane that holds its source (lease_owner, a per-process worker id) from the moment it is accepted; the owner
-- renews lease_expires_at on a heartbeat while the build is queued or building. A row whose lease expired lost its
-- worker: every control plane's sweeper fails it with the reason, so no build is left queued/building or run twice.
ALTER TABLE paas_builds
  ADD COLUMN lease_owner      varchar(100),
  ADD COLUMN lease_expires_at timestamptz;

-- the sweeper and the limit counts read unfinished rows by lease; the claim orders organizations by their last start
CREATE INDEX paas_builds_lease_idx ON paas_builds (lease_expires_at) WHERE status IN ('queued', 'building');
CREATE INDEX paas_builds_org_started_idx ON paas_builds (organization_id, started_at DESC) WHERE started_at IS NOT NULL;
