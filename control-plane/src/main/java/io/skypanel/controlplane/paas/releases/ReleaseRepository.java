package io.skypanel.controlplane.paas.releases;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** SQL of {@code paas_releases}: inserted once, then only their status changes (releases are immutable). */
public final class ReleaseRepository {

  private static final String COLUMNS = """
      r.id, r.organization_id, r.environment_id, r.version, r.image_ref, r.image_digest, r.config, r.process_types, r.env_vars_sealed,
      r.env_var_names, r.description, r.status, r.status_reason, r.release_phase, r.rollback_of_version, r.created_by, r.created_at""";
  /** Versions count up per environment; the caller holds the environment's row lock, so two releases never share one. */
  private static final String INSERT = """
      INSERT INTO paas_releases AS r (organization_id, environment_id, version, image_ref, image_digest, config, process_types,
                                      env_vars_sealed, env_var_names, description, status, rollback_of_version, created_by)
      VALUES ($1, $2, (SELECT coalesce(max(version), 0) + 1 FROM paas_releases WHERE environment_id = $2), $3, $4, $5, $6, $7, $8, $9, $10,
              $11, $12)
      RETURNING""" + " " + COLUMNS;
  private static final String BY_VERSION = "SELECT " + COLUMNS + " FROM paas_releases r WHERE r.environment_id = $1 AND r.organization_id = $2 AND r.version = $3";
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM paas_releases r WHERE r.id = $1";
  private static final String PAGE = "SELECT " + COLUMNS + " " + """
       FROM paas_releases r WHERE r.environment_id = $1 AND r.organization_id = $2
        AND ($3::timestamptz IS NULL OR (r.created_at, r.id) < ($3, $4))
      ORDER BY r.created_at DESC, r.id DESC LIMIT $5""";
  private static final String FINISH = """
      UPDATE paas_releases SET status = $2, status_reason = $3, release_phase = $4 WHERE id = $1 AND status = 'pending'""";
  /** A release that went live and then failed (Swarm rolled one of its processes back); only a live-made one. */
  private static final String FAIL = """
      UPDATE paas_releases SET status = 'failed', status_reason = $2 WHERE id = $1 AND status = 'succeeded'""";
  private static final String PENDING = "SELECT " + COLUMNS + " FROM paas_releases r WHERE r.status = 'pending' ORDER BY r.created_at";
  /** Pending releases whose release phase no process is watching any more (a control plane stopped meanwhile). */
  private static final String ABANDONED = """
      UPDATE paas_releases SET status = 'failed', status_reason = 'the release phase was interrupted (the control plane stopped); deploy again'
       WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1) RETURNING id""";

  public Future<Release> insert(SqlClient client, Release draft) {
    return client.preparedQuery(INSERT).execute(Tuple.from(new Object[] {draft.organizationId(), draft.environmentId(), draft.imageRef(),
            draft.imageDigest(), draft.config(), draft.processTypes(), draft.envVarsSealed(), draft.envVarNames().toArray(String[]::new),
            draft.description(), draft.status(), draft.rollbackOfVersion(), draft.createdBy()}))
        .map(rows -> from(rows.iterator().next()));
  }

  public Future<Release> byVersion(SqlClient client, UUID organizationId, UUID environmentId, int version) {
    return client.preparedQuery(BY_VERSION).execute(Tuple.of(environmentId, organizationId, version))
        .map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()));
  }

  /** Platform-internal (the release phase). */
  public Future<Release> byId(SqlClient client, UUID id) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id)).map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()));
  }

  public Future<List<Release>> page(SqlClient client, UUID organizationId, UUID environmentId, OffsetDateTime before, UUID beforeId, int limit) {
    return client.preparedQuery(PAGE).execute(Tuple.of(environmentId, organizationId, before, beforeId, limit)).map(rows -> {
      List<Release> releases = new ArrayList<>();
      rows.forEach(row -> releases.add(from(row)));
      return releases;
    });
  }

  /** Ends a pending release once; false when it was no longer pending. */
  public Future<Boolean> finish(SqlClient client, UUID id, String status, String reason, JsonObject phase) {
    return client.preparedQuery(FINISH).execute(Tuple.of(id, status, reason, phase)).map(rows -> rows.rowCount() == 1);
  }

  /** Fails a succeeded release after the fact; false when it was not succeeded (already failed, or still pending). */
  public Future<Boolean> fail(SqlClient client, UUID id, String reason) {
    return client.preparedQuery(FAIL).execute(Tuple.of(id, reason)).map(rows -> rows.rowCount() == 1);
  }

  /** Every pending release of every organization (platform-internal: resuming release phases after a restart). */
  public Future<List<Release>> pending(SqlClient client) {
    return client.preparedQuery(PENDING).execute().map(rows -> {
      List<Release> releases = new ArrayList<>();
      rows.forEach(row -> releases.add(from(row)));
      return releases;
    });
  }

  public Future<Integer> failAbandoned(SqlClient client, long olderThanSeconds) {
    return client.preparedQuery(ABANDONED).execute(Tuple.of((double) olderThanSeconds)).map(rows -> rows.rowCount());
  }

  private static Release from(Row row) {
    return new Release(row.getUUID("id"), row.getUUID("organization_id"), row.getUUID("environment_id"), row.getInteger("version"),
        row.getString("image_ref"), row.getString("image_digest"), row.getJsonObject("config"), row.getJsonObject("process_types"),
        row.getString("env_vars_sealed"), Arrays.asList(row.getArrayOfStrings("env_var_names")), row.getString("description"),
        row.getString("status"), row.getString("status_reason"), row.getJsonObject("release_phase"), row.getInteger("rollback_of_version"),
        row.getUUID("created_by"), row.getOffsetDateTime("created_at"));
  }
}
