-- CaaS volumes: restoring a snapshot into a volume.
--
-- A volume being filled from a snapshot has status 'restoring' and names that snapshot in restore_snapshot_id
-- (kept afterwards as "last restored from"). No foreign key: a composite key to caas_volume_snapshots could not
-- be set to NULL on its own, and the snapshot may be deleted later; the API refuses to delete a snapshot that a
-- restore is still reading.

ALTER TABLE paas_volumes DROP CONSTRAINT paas_volumes_status_check;
ALTER TABLE paas_volumes ADD CONSTRAINT paas_volumes_status_check
  CHECK (status IN ('pending', 'available', 'in_use', 'resizing', 'restoring', 'deleting', 'failed'));
ALTER TABLE paas_volumes ADD COLUMN restore_snapshot_id uuid;
ALTER TABLE paas_volumes ADD CONSTRAINT paas_volumes_restoring_check CHECK (status <> 'restoring' OR restore_snapshot_id IS NOT NULL);
CREATE INDEX paas_volumes_restore_snapshot_idx ON paas_volumes (restore_snapshot_id) WHERE status = 'restoring';
