-- The dump's own (uncompressed) size, recorded when a backup completes: a restore streams the stored dump into its
-- helper as a tar entry, whose header needs that size before the first byte. NULL for backups taken before this
-- column existed: their restore counts the size in one extra pass.
ALTER TABLE paas_addon_backups ADD COLUMN dump_bytes bigint CHECK (dump_bytes >= 0);
