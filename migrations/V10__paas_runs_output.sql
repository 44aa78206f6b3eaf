-- One-off runs (paas_runs, V3) get what the API shows once a run has ended, and interactive runs their one
-- console session; exec audit rows may belong to a run instead of a container.

ALTER TABLE paas_runs
  -- the last KiB of the task's output (stdout and stderr), stored when the run ends; NULL for interactive runs,
  -- whose output went to the terminal (and to the audit transcript when the isolation tier records sessions)
  ADD COLUMN output         text,
  -- why the run ended as it did (a timeout, a cancel, a task the engine rejected, ...)
  ADD COLUMN status_reason  text,
  -- the exec-proxy session attached to an interactive run: at most one, taken atomically
  ADD COLUMN session_id     uuid;

-- A console session into an interactive run is audited like one into a container, naming the run instead.
ALTER TABLE caas_exec_audit
  ALTER COLUMN container_id DROP NOT NULL,
  ADD COLUMN run_id uuid,
  ADD CONSTRAINT caas_exec_audit_target_check CHECK ((container_id IS NULL) <> (run_id IS NULL));
CREATE INDEX caas_exec_audit_org_run_started_idx ON caas_exec_audit (organization_id, run_id, started_at DESC) WHERE run_id IS NOT NULL;
