package io.skypanel.controlplane.caas.volumes;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** SQL for CaaS volumes, the plan limits they count against, and the containers that mount them. Tenant queries are scoped by organization. */
final class VolumeRepository {

  private static final String COLUMNS = """
      v.id, v.name, v.size_gb, v.region, v.status, v.status_reason, v.docker_volume_name,
      v.restore_snapshot_id, v.created_at, v.updated_at""";
  private static final String INSERT = """
      INSERT INTO paas_volumes AS v (id, organization_id, name, size_gb, region, docker_volume_name, status, restore_snapshot_id, created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      ON CONFLICT (organization_id, name) DO NOTHING RETURNING """ + " " + COLUMNS;
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM paas_volumes v WHERE v.id = $1 AND v.organization_id = $2";
  private static final String LOCK = BY_ID + " FOR UPDATE";
  private static final String PAGE = "SELECT " + COLUMNS + " " + """
      FROM paas_volumes v
      WHERE v.organization_id = $1 AND ($2::timestamptz IS NULL OR (v.created_at, v.id) < ($2, $3))
      ORDER BY v.created_at DESC, v.id DESC LIMIT $4""";
  private static final String SET_STATUS = """
      UPDATE paas_volumes AS v SET status = $3, status_reason = $4 WHERE v.id = $1 AND v.organization_id = $2 RETURNING """ + " " + COLUMNS;
  private static final String CREATED = """
      UPDATE paas_volumes AS v SET status = 'available' WHERE v.id = $1 AND v.status = 'pending' RETURNING """ + " " + COLUMNS;
  private static final String START_RESTORE = """
      UPDATE paas_volumes AS v SET status = 'restoring', status_reason = NULL, restore_snapshot_id = $3
       WHERE v.id = $1 AND v.organization_id = $2 RETURNING """ + " " + COLUMNS;
  /** Ends a restore; only a volume still restoring changes (a sweep may have failed it meanwhile). */
  private static final String FINISH_RESTORE = """
      UPDATE paas_volumes SET status = $2, status_reason = $3 WHERE id = $1 AND status = 'restoring'""";
  private static final String DELETE = "DELETE FROM paas_volumes WHERE id = $1 AND organization_id = $2";
  private static final String NAME_TAKEN = "SELECT EXISTS (SELECT 1 FROM paas_volumes WHERE organization_id = $1 AND name = $2) AS taken";
  /** The current containers' volumes and the spec a rollback would bring back both count as use. */
  private static final String USED_BY = """
      SELECT name FROM paas_containers
       WHERE organization_id = $1
         AND (volumes @> jsonb_build_array(jsonb_build_object('volume_id', $2::text))
              OR coalesce(previous_spec -> 'volumes', '[]'::jsonb) @> jsonb_build_array(jsonb_build_object('volume_id', $2::text)))
       ORDER BY name LIMIT 1""";
  /** Serialises quota checks of one organization: NO KEY UPDATE conflicts with itself, not with foreign-key inserts. */
  private static final String LOCK_ORGANIZATION = "SELECT id FROM organizations WHERE id = $1 FOR NO KEY UPDATE";
  /** Creates and deletes whose control plane died between the database and Docker. */
  private static final String UNFINISHED = """
      SELECT id, docker_volume_name FROM paas_volumes
       WHERE status IN ('pending', 'deleting') AND updated_at < now() - make_interval(secs => $1)""";
  private static final String DELETE_UNFINISHED = """
      DELETE FROM paas_volumes WHERE id = $1 AND status IN ('pending', 'deleting') AND updated_at < now() - make_interval(secs => $2)""";
  private static final String SWEEP_RESTORES = """
      UPDATE paas_volumes SET status = 'failed', status_reason = $2
       WHERE status = 'restoring' AND updated_at < now() - make_interval(secs => $1) RETURNING id""";

  /** The created volume, or null when the organization already has a volume of that name. */
  Future<JsonObject> insert(SqlClient client, UUID id, UUID organizationId, String name, int sizeGb, String region, String dockerName,
                            String status, UUID restoreSnapshotId, UUID createdBy) {
    return client.preparedQuery(INSERT)
        .execute(Tuple.from(new Object[] {id, organizationId, name, sizeGb, region, dockerName, status, restoreSnapshotId, createdBy}))
        .map(VolumeRepository::first);
  }

  Future<JsonObject> byId(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id, organizationId)).map(VolumeRepository::first);
  }

  /** The volume, locked for the rest of the transaction; null when the organization has no such volume. */
  Future<JsonObject> lock(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(LOCK).execute(Tuple.of(id, organizationId)).map(VolumeRepository::first);
  }

  Future<List<JsonObject>> page(SqlClient client, UUID organizationId, OffsetDateTime before, UUID beforeId, int limit) {
    return client.preparedQuery(PAGE).execute(Tuple.of(organizationId, before, beforeId, limit)).map(rows -> {
      List<JsonObject> volumes = new ArrayList<>();
      rows.forEach(row -> volumes.add(volume(row)));
      return volumes;
    });
  }

  Future<JsonObject> setStatus(SqlClient client, UUID organizationId, UUID id, String status, String reason) {
    return client.preparedQuery(SET_STATUS).execute(Tuple.of(id, organizationId, status, reason)).map(VolumeRepository::first);
  }

  /** The volume, now available; null when it is no longer pending (a sweep gave up on it). */
  Future<JsonObject> markCreated(SqlClient client, UUID id) {
    return client.preparedQuery(CREATED).execute(Tuple.of(id)).map(VolumeRepository::first);
  }

  Future<JsonObject> startRestore(SqlClient client, UUID organizationId, UUID id, UUID snapshotId) {
    return client.preparedQuery(START_RESTORE).execute(Tuple.of(id, organizationId, snapshotId)).map(VolumeRepository::first);
  }

  Future<Void> finishRestore(SqlClient client, UUID id, String status, String reason) {
    return client.preparedQuery(FINISH_RESTORE).execute(Tuple.of(id, status, reason)).mapEmpty();
  }

  Future<Void> delete(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(DELETE).execute(Tuple.of(id, organizationId)).mapEmpty();
  }

  Future<Boolean> nameTaken(SqlClient client, UUID organizationId, String name) {
    return client.preparedQuery(NAME_TAKEN).execute(Tuple.of(organizationId, name)).map(rows -> rows.iterator().next().getBoolean("taken"));
  }

  /** The name of a container that mounts the volume (or would after a rollback), or null. */
  Future<String> usedBy(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(USED_BY).execute(Tuple.of(organizationId, id.toString()))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("name"));
  }

  Future<Void> lockOrganization(SqlClient client, UUID organizationId) {
    return client.preparedQuery(LOCK_ORGANIZATION).execute(Tuple.of(organizationId)).mapEmpty();
  }

  /** Volumes stuck in pending or deleting for longer than {@code olderThanSeconds}: id and Docker volume name. */
  Future<Map<UUID, String>> unfinished(SqlClient client, long olderThanSeconds) {
    return client.preparedQuery(UNFINISHED).execute(Tuple.of((double) olderThanSeconds)).map(rows -> {
      Map<UUID, String> volumes = new LinkedHashMap<>();
      rows.forEach(row -> volumes.put(row.getUUID("id"), row.getString("docker_volume_name")));
      return volumes;
    });
  }

  Future<Void> deleteUnfinished(SqlClient client, UUID id, long olderThanSeconds) {
    return client.preparedQuery(DELETE_UNFINISHED).execute(Tuple.of(id, (double) olderThanSeconds)).mapEmpty();
  }

  /** Fails restores that outlived every bound (their control plane died); returns how many. */
  Future<Integer> sweepRestores(SqlClient client, long olderThanSeconds, String reason) {
    return client.preparedQuery(SWEEP_RESTORES).execute(Tuple.of((double) olderThanSeconds, reason)).map(RowSet::rowCount);
  }

  /** The plan's volume limits and what the organization uses now (volumes being deleted no longer count). */
  private static JsonObject first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : volume(rows.iterator().next());
  }

  /** The API shape. */
  private static JsonObject volume(Row row) {
    UUID restoreSnapshot = row.getUUID("restore_snapshot_id");
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("name", row.getString("name"))
        .put("size_gb", row.getInteger("size_gb"))
        .put("region", row.getString("region"))
        .put("status", row.getString("status"))
        .put("status_reason", row.getString("status_reason"))
        .put("docker_volume_name", row.getString("docker_volume_name"))
        .put("restore_snapshot_id", restoreSnapshot == null ? null : restoreSnapshot.toString())
        .put("created_at", row.getOffsetDateTime("created_at").toString())
        .put("updated_at", row.getOffsetDateTime("updated_at").toString());
  }
}
