package io.skypanel.controlplane.caas.volumes;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SQL for volume snapshots. Status moves pending → running → completed | failed; the job's updates name the
 * status they expect, so a sweep that already failed a stale snapshot is never overwritten.
 */
final class SnapshotRepository {

  private static final String COLUMNS = """
      s.id, s.volume_id, s.status, s.size_bytes, s.sha256, s.storage_path, s.error, s.started_at, s.completed_at,
      s.created_at, s.updated_at""";
  private static final String INSERT = """
      INSERT INTO caas_volume_snapshots AS s (id, organization_id, volume_id, storage_path, created_by)
      VALUES ($1, $2, $3, $4, $5) RETURNING """ + " " + COLUMNS;
  private static final String BY_ID = "SELECT " + COLUMNS
      + " FROM caas_volume_snapshots s WHERE s.id = $1 AND s.volume_id = $2 AND s.organization_id = $3";
  private static final String LOCK = BY_ID + " FOR UPDATE";
  private static final String PAGE = "SELECT " + COLUMNS + " " + """
      FROM caas_volume_snapshots s
      WHERE s.organization_id = $1 AND s.volume_id = $2 AND ($3::timestamptz IS NULL OR (s.created_at, s.id) < ($3, $4))
      ORDER BY s.created_at DESC, s.id DESC LIMIT $5""";
  private static final String COUNT_FOR_VOLUME = """
      SELECT count(*) AS snapshots, count(*) FILTER (WHERE status IN ('pending', 'running')) AS in_progress
        FROM caas_volume_snapshots WHERE organization_id = $1 AND volume_id = $2""";
  private static final String MARK_RUNNING = """
      UPDATE caas_volume_snapshots SET status = 'running', started_at = now() WHERE id = $1 AND status = 'pending'""";
  private static final String COMPLETE = """
      UPDATE caas_volume_snapshots SET status = 'completed', size_bytes = $2, sha256 = $3, completed_at = now(), error = NULL
       WHERE id = $1 AND status = 'running'""";
  private static final String FAIL = """
      UPDATE caas_volume_snapshots SET status = 'failed', error = $2, completed_at = now()
       WHERE id = $1 AND status IN ('pending', 'running')""";
  private static final String DELETE = "DELETE FROM caas_volume_snapshots WHERE id = $1 AND organization_id = $2";
  /** Whether a restore is reading the snapshot's archive right now. */
  private static final String BEING_RESTORED = """
      SELECT EXISTS (SELECT 1 FROM paas_volumes WHERE restore_snapshot_id = $1 AND status = 'restoring') AS restoring""";
  private static final String SWEEP = """
      UPDATE caas_volume_snapshots SET status = 'failed', error = $2, completed_at = now()
       WHERE status IN ('pending', 'running') AND updated_at < now() - make_interval(secs => $1) RETURNING storage_path""";

  Future<JsonObject> insert(SqlClient client, UUID id, UUID organizationId, UUID volumeId, String storagePath, UUID createdBy) {
    return client.preparedQuery(INSERT).execute(Tuple.of(id, organizationId, volumeId, storagePath, createdBy)).map(SnapshotRepository::first);
  }

  /** The snapshot of that volume in that organization, or null. */
  Future<JsonObject> byId(SqlClient client, UUID organizationId, UUID volumeId, UUID id) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id, volumeId, organizationId)).map(SnapshotRepository::first);
  }

  Future<JsonObject> lock(SqlClient client, UUID organizationId, UUID volumeId, UUID id) {
    return client.preparedQuery(LOCK).execute(Tuple.of(id, volumeId, organizationId)).map(SnapshotRepository::first);
  }

  Future<List<JsonObject>> page(SqlClient client, UUID organizationId, UUID volumeId, OffsetDateTime before, UUID beforeId, int limit) {
    return client.preparedQuery(PAGE).execute(Tuple.of(organizationId, volumeId, before, beforeId, limit)).map(rows -> {
      List<JsonObject> snapshots = new ArrayList<>();
      rows.forEach(row -> snapshots.add(snapshot(row)));
      return snapshots;
    });
  }

  /** How many snapshots the volume has, and how many of them are still being made. */
  Future<Counts> counts(SqlClient client, UUID organizationId, UUID volumeId) {
    return client.preparedQuery(COUNT_FOR_VOLUME).execute(Tuple.of(organizationId, volumeId)).map(rows -> {
      Row row = rows.iterator().next();
      return new Counts(row.getLong("snapshots"), row.getLong("in_progress"));
    });
  }

  /** False when the snapshot is no longer pending (failed by a sweep). */
  Future<Boolean> markRunning(SqlClient client, UUID id) {
    return client.preparedQuery(MARK_RUNNING).execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
  }

  Future<Boolean> complete(SqlClient client, UUID id, long sizeBytes, String sha256) {
    return client.preparedQuery(COMPLETE).execute(Tuple.of(id, sizeBytes, sha256)).map(rows -> rows.rowCount() == 1);
  }

  Future<Void> fail(SqlClient client, UUID id, String error) {
    return client.preparedQuery(FAIL).execute(Tuple.of(id, error)).mapEmpty();
  }

  Future<Void> delete(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(DELETE).execute(Tuple.of(id, organizationId)).mapEmpty();
  }

  Future<Boolean> beingRestored(SqlClient client, UUID id) {
    return client.preparedQuery(BEING_RESTORED).execute(Tuple.of(id)).map(rows -> rows.iterator().next().getBoolean("restoring"));
  }

  /** Fails snapshots that outlived every bound (their control plane died); returns their archive paths. */
  Future<List<String>> sweep(SqlClient client, long olderThanSeconds, String error) {
    return client.preparedQuery(SWEEP).execute(Tuple.of((double) olderThanSeconds, error)).map(rows -> {
      List<String> paths = new ArrayList<>();
      rows.forEach(row -> paths.add(row.getString("storage_path")));
      return paths;
    });
  }

  record Counts(long snapshots, long inProgress) {
  }

  private static JsonObject first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : snapshot(rows.iterator().next());
  }

  /** The API shape plus {@code storage_path} (relative to the snapshot directory), which the service strips before responding. */
  private static JsonObject snapshot(Row row) {
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("volume_id", row.getUUID("volume_id").toString())
        .put("status", row.getString("status"))
        .put("size_bytes", row.getLong("size_bytes"))
        .put("sha256", row.getString("sha256"))
        .put("error", row.getString("error"))
        .put("storage_path", row.getString("storage_path"))
        .put("started_at", timestamp(row, "started_at"))
        .put("completed_at", timestamp(row, "completed_at"))
        .put("created_at", timestamp(row, "created_at"))
        .put("updated_at", timestamp(row, "updated_at"));
  }

  private static String timestamp(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toString();
  }
}
