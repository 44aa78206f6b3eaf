package io.skypanel.controlplane.paas.addons.backups;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL of {@code paas_addon_backups} and {@code paas_addon_restores}, and the backup-related columns of add-ons. */
final class AddonBackupRepository {

  private static final String RETURNING = " RETURNING " + AddonBackup.COLUMNS;
  /** A backup row from the add-on as it is now; its expiry from the plan's retention (0: kept). */
  private static final String INSERT = """
      INSERT INTO paas_addon_backups (organization_id, addon_id, addon_name, app_id, environment_id, plan_id, service, version, kind,
                                      created_by, expires_at)
      SELECT d.organization_id, d.id, d.name, d.app_id, d.environment_id, d.plan_id, d.provider, p.version, $2, $3,
             CASE WHEN p.backup_retention_days > 0 THEN now() + make_interval(days => p.backup_retention_days) END
      FROM paas_addons d JOIN paas_addon_plans p ON p.id = d.plan_id WHERE d.id = $1""" + RETURNING;
  private static final String BY_ID = "SELECT " + AddonBackup.COLUMNS
      + " FROM paas_addon_backups WHERE id = $1 AND addon_id = $2 AND organization_id = $3";
  private static final String BY_ADDON = "SELECT " + AddonBackup.COLUMNS
      + " FROM paas_addon_backups WHERE addon_id = $1 AND organization_id = $2 ORDER BY created_at DESC, id";
  private static final String ANY_OF_ADDON = "SELECT EXISTS (SELECT 1 FROM paas_addon_backups WHERE addon_id = $1 AND organization_id = $2) AS found";
  private static final String RUNNING = "UPDATE paas_addon_backups SET status = 'running', started_at = now() WHERE id = $1";
  private static final String COMPLETED = """
      UPDATE paas_addon_backups SET status = 'completed', size_bytes = $2, sha256 = $3, dump_bytes = $4, finished_at = now()
      WHERE id = $1""";
  private static final String FAILED = "UPDATE paas_addon_backups SET status = 'failed', error = $2, finished_at = now() WHERE id = $1";
  private static final String FINAL_BACKUPS = """
      SELECT count(*) FILTER (WHERE status <> 'failed') AS taken, count(*) FILTER (WHERE status = 'failed') AS failed
      FROM paas_addon_backups WHERE addon_id = $1 AND kind = 'final'""";
  private static final String SKIP_FINAL = "SELECT skip_final_backup FROM paas_addons WHERE id = $1";
  /**
   * Available add-ons older than their plan's backup interval that have no backup (manual or scheduled, not failed)
   * within it (a new add-on's first scheduled backup comes one interval after its creation); a failed scheduled one holds the next attempt off for an hour. Locked so another control plane's
   * scheduler skips them until this one has inserted their pending rows.
   */
  private static final String DUE = """
      SELECT d.id FROM paas_addons d JOIN paas_addon_plans p ON p.id = d.plan_id
      WHERE d.status = 'available' AND p.backup_schedule_hours > 0
        AND d.created_at < now() - make_interval(hours => p.backup_schedule_hours)
        AND NOT EXISTS (SELECT 1 FROM paas_addon_backups b WHERE b.addon_id = d.id AND b.kind <> 'final'
          AND ((b.status <> 'failed' AND b.created_at > now() - make_interval(hours => p.backup_schedule_hours))
            OR (b.status = 'failed' AND b.created_at > now() - interval '1 hour')))
      ORDER BY d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED""";
  private static final String EXPIRED = """
      SELECT id FROM paas_addon_backups WHERE expires_at < now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED""";
  private static final String DELETE = "DELETE FROM paas_addon_backups WHERE id = $1";
  private static final String KNOWN = "SELECT id FROM paas_addon_backups WHERE id = ANY($1)";
  private static final String STALE_BACKUPS = """
      UPDATE paas_addon_backups SET status = 'failed', error = $2, finished_at = now()
      WHERE status IN ('pending', 'running') AND created_at < now() - make_interval(secs => $1) RETURNING id""";
  private static final String STALE_RESTORES = """
      UPDATE paas_addon_restores SET status = 'failed', error = $2, finished_at = now()
      WHERE status IN ('pending', 'running') AND created_at < now() - make_interval(secs => $1) RETURNING addon_id""";
  private static final String RESTORE_INSERT = """
      INSERT INTO paas_addon_restores (organization_id, backup_id, addon_id, target, created_by) VALUES ($1, $2, $3, $4, $5)
      RETURNING """ + " " + AddonRestore.COLUMNS;
  private static final String RESTORE_BY_ID = "SELECT " + AddonRestore.COLUMNS
      + " FROM paas_addon_restores WHERE id = $1 AND addon_id = $2 AND organization_id = $3";
  private static final String RESTORE_RUNNING = "UPDATE paas_addon_restores SET status = 'running', started_at = now() WHERE id = $1";
  private static final String RESTORE_DONE = """
      UPDATE paas_addon_restores SET status = $2, error = $3, finished_at = now() WHERE id = $1""";
  private static final String MARK_RESTORING = """
      UPDATE paas_addons SET status = 'restoring', status_reason = $2 WHERE id = $1 AND status = 'available'""";
  private static final String END_RESTORING = """
      UPDATE paas_addons SET status = 'available', status_reason = NULL WHERE id = $1 AND status = 'restoring'""";

  Future<AddonBackup> insert(SqlClient client, UUID addonId, String kind, UUID createdBy) {
    return one(client.preparedQuery(INSERT).execute(Tuple.of(addonId, kind, createdBy)));
  }

  Future<AddonBackup> byId(SqlClient client, UUID organizationId, UUID addonId, UUID id) {
    return one(client.preparedQuery(BY_ID).execute(Tuple.of(id, addonId, organizationId)));
  }

  Future<List<AddonBackup>> byAddon(SqlClient client, UUID organizationId, UUID addonId) {
    return client.preparedQuery(BY_ADDON).execute(Tuple.of(addonId, organizationId)).map(rows -> {
      List<AddonBackup> list = new ArrayList<>();
      rows.forEach(row -> list.add(AddonBackup.from(row)));
      return list;
    });
  }

  /** Whether the organization has backups of this add-on id (its add-on may be gone). */
  Future<Boolean> anyOf(SqlClient client, UUID organizationId, UUID addonId) {
    return client.preparedQuery(ANY_OF_ADDON).execute(Tuple.of(addonId, organizationId)).map(rows -> rows.iterator().next().getBoolean("found"));
  }

  Future<Void> running(SqlClient client, UUID id) {
    return client.preparedQuery(RUNNING).execute(Tuple.of(id)).mapEmpty();
  }

  Future<Void> completed(SqlClient client, UUID id, long size, String sha256, long dumpBytes) {
    return client.preparedQuery(COMPLETED).execute(Tuple.of(id, size, sha256, dumpBytes)).mapEmpty();
  }

  Future<Void> failed(SqlClient client, UUID id, String error) {
    return client.preparedQuery(FAILED).execute(Tuple.of(id, error)).mapEmpty();
  }

  /** Final backups of the add-on: [taken or under way, failed]. */
  Future<long[]> finalBackups(SqlClient client, UUID addonId) {
    return client.preparedQuery(FINAL_BACKUPS).execute(Tuple.of(addonId)).map(rows -> {
      Row row = rows.iterator().next();
      return new long[] {row.getLong("taken"), row.getLong("failed")};
    });
  }

  /** The persisted {@code skip_final_backup} of a deprovisioning add-on (false when the row is gone). */
  Future<Boolean> skipFinalBackup(SqlClient client, UUID addonId) {
    return client.preparedQuery(SKIP_FINAL).execute(Tuple.of(addonId))
        .map(rows -> rows.size() > 0 && Boolean.TRUE.equals(rows.iterator().next().getBoolean("skip_final_backup")));
  }

  Future<List<UUID>> due(SqlClient client, int limit) {
    return ids(client.preparedQuery(DUE).execute(Tuple.of(limit)), "id");
  }

  Future<List<UUID>> expired(SqlClient client, int limit) {
    return ids(client.preparedQuery(EXPIRED).execute(Tuple.of(limit)), "id");
  }

  Future<Void> delete(SqlClient client, UUID id) {
    return client.preparedQuery(DELETE).execute(Tuple.of(id)).mapEmpty();
  }

  /** Which of {@code ids} still have a backup row (of any organization). */
  Future<java.util.Set<UUID>> known(SqlClient client, List<UUID> ids) {
    return client.preparedQuery(KNOWN).execute(Tuple.of(ids.toArray(UUID[]::new))).map(rows -> {
      java.util.Set<UUID> found = new java.util.HashSet<>();
      rows.forEach(row -> found.add(row.getUUID("id")));
      return found;
    });
  }

  /** Fails backups and restores under way longer than {@code seconds} (their control plane stopped); the restores' add-ons. */
  Future<List<UUID>> failStale(SqlClient client, long seconds, String error) {
    return client.preparedQuery(STALE_BACKUPS).execute(Tuple.of((double) seconds, error))
        .compose(v -> ids(client.preparedQuery(STALE_RESTORES).execute(Tuple.of((double) seconds, error)), "addon_id"));
  }

  Future<AddonRestore> insertRestore(SqlClient client, UUID organizationId, UUID backupId, UUID addonId, String target, UUID createdBy) {
    return client.preparedQuery(RESTORE_INSERT).execute(Tuple.of(organizationId, backupId, addonId, target, createdBy))
        .map(rows -> AddonRestore.from(rows.iterator().next()));
  }

  Future<AddonRestore> restoreById(SqlClient client, UUID organizationId, UUID addonId, UUID id) {
    return client.preparedQuery(RESTORE_BY_ID).execute(Tuple.of(id, addonId, organizationId))
        .map(rows -> rows.size() == 0 ? null : AddonRestore.from(rows.iterator().next()));
  }

  Future<Void> restoreRunning(SqlClient client, UUID id) {
    return client.preparedQuery(RESTORE_RUNNING).execute(Tuple.of(id)).mapEmpty();
  }

  Future<Void> restoreDone(SqlClient client, UUID id, String error) {
    return client.preparedQuery(RESTORE_DONE).execute(Tuple.of(id, error == null ? "completed" : "failed", error)).mapEmpty();
  }

  /** Whether the add-on went from {@code available} to {@code restoring} (false: it was not available). */
  Future<Boolean> markRestoring(SqlClient client, UUID addonId, String reason) {
    return client.preparedQuery(MARK_RESTORING).execute(Tuple.of(addonId, reason)).map(rows -> rows.rowCount() > 0);
  }

  Future<Void> endRestoring(SqlClient client, UUID addonId) {
    return client.preparedQuery(END_RESTORING).execute(Tuple.of(addonId)).mapEmpty();
  }

  private static Future<AddonBackup> one(Future<RowSet<Row>> rows) {
    return rows.map(set -> set.size() == 0 ? null : AddonBackup.from(set.iterator().next()));
  }

  private static Future<List<UUID>> ids(Future<RowSet<Row>> rows, String column) {
    return rows.map(set -> {
      List<UUID> list = new ArrayList<>();
      set.forEach(row -> list.add(row.getUUID(column)));
      return list;
    });
  }
}
