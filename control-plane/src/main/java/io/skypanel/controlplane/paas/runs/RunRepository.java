package io.skypanel.controlplane.paas.runs;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SQL of {@code paas_runs}. A run ends once: every transition to an ended status is conditional on the run still
 * being active, so the supervisor, a DELETE and the exec proxy can race and exactly one of them wins.
 */
public final class RunRepository {

  private static final String COLUMNS = """
      r.id, r.organization_id, r.environment_id, r.release_id, r.command, r.attached, p.slug AS size, r.status, r.exit_code,
      r.timeout_seconds, r.swarm_service_id, r.output, r.status_reason, r.started_at, r.finished_at, r.user_id, r.created_at""";
  private static final String FROM = " FROM paas_runs r LEFT JOIN paas_plans p ON p.id = r.plan_id ";
  private static final String INSERT = """
      INSERT INTO paas_runs (organization_id, environment_id, release_id, command, attached, plan_id, timeout_seconds, user_id)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id""";
  private static final String BY_ID = "SELECT " + COLUMNS + FROM + "WHERE r.id = $1 AND r.organization_id = $2";
  private static final String PAGE = "SELECT " + COLUMNS + FROM + """
      WHERE r.environment_id = $1 AND r.organization_id = $2 AND ($3::timestamptz IS NULL OR (r.created_at, r.id) < ($3, $4))
      ORDER BY r.created_at DESC, r.id DESC LIMIT $5""";
  /** Every organization's: the supervisor's work list (paas_runs_active_idx). */
  private static final String ACTIVE = "SELECT " + COLUMNS + FROM + """
      WHERE r.status IN ('pending', 'starting', 'running') ORDER BY r.created_at LIMIT 500""";
  /**
   * Of these (run, organization) pairs named by services' labels, the runs that ended or are gone, among this
   * installation's organizations only: a service of an organization this database does not know is not ours to judge.
   */
  private static final String ENDED_OR_GONE = """
      SELECT t.run_id FROM unnest($1::uuid[], $2::uuid[]) AS t(run_id, organization_id)
        JOIN organizations o ON o.id = t.organization_id
        LEFT JOIN paas_runs r ON r.id = t.run_id AND r.organization_id = t.organization_id
       WHERE r.id IS NULL OR r.status NOT IN ('pending', 'starting', 'running')""";
  private static final String STARTING = """
      UPDATE paas_runs SET status = 'starting', swarm_service_id = $2 WHERE id = $1 AND status = 'pending'""";
  private static final String RUNNING = """
      UPDATE paas_runs SET status = 'running', started_at = coalesce(started_at, now()) WHERE id = $1 AND status IN ('pending', 'starting')""";
  private static final String FINISH = """
      UPDATE paas_runs SET status = $2, exit_code = $3, output = $4, status_reason = $5, started_at = coalesce(started_at, now()),
             finished_at = now()
       WHERE id = $1 AND status IN ('pending', 'starting', 'running')
      RETURNING swarm_service_id""";
  private static final String CANCEL = """
      UPDATE paas_runs SET status = 'cancelled', status_reason = $3, started_at = coalesce(started_at, now()), finished_at = now()
       WHERE id = $1 AND organization_id = $2 AND status IN ('pending', 'starting', 'running')
      RETURNING swarm_service_id""";
  private static final String CANCEL_ENVIRONMENTS = """
      UPDATE paas_runs SET status = 'cancelled', status_reason = $3, started_at = coalesce(started_at, now()), finished_at = now()
       WHERE environment_id = ANY($1) AND organization_id = $2 AND status IN ('pending', 'starting', 'running')""";

  public Future<UUID> insert(SqlClient client, UUID organizationId, UUID environmentId, UUID releaseId, String command, boolean attached,
                             UUID planId, int timeoutSeconds, UUID userId) {
    return client.preparedQuery(INSERT).execute(Tuple.from(new Object[] {organizationId, environmentId, releaseId, command, attached, planId,
        timeoutSeconds, userId})).map(rows -> rows.iterator().next().getUUID("id"));
  }

  /** The organization's run, or null (unknown and foreign ids alike). */
  public Future<Run> byId(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id, organizationId)).map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()));
  }

  public Future<List<Run>> page(SqlClient client, UUID organizationId, UUID environmentId, OffsetDateTime before, UUID beforeId, int limit) {
    return client.preparedQuery(PAGE).execute(Tuple.of(environmentId, organizationId, before, beforeId, limit)).map(RunRepository::runs);
  }

  /** Platform-internal: the runs of every organization that have not ended. */
  public Future<List<Run>> active(SqlClient client) {
    return client.preparedQuery(ACTIVE).execute().map(RunRepository::runs);
  }

  /** Platform-internal: which of these runs (each with its organization) ended or no longer exist. */
  public Future<List<UUID>> endedOrGone(SqlClient client, List<UUID> runIds, List<UUID> organizationIds) {
    return client.preparedQuery(ENDED_OR_GONE).execute(Tuple.tuple().addArrayOfUUID(runIds.toArray(UUID[]::new))
        .addArrayOfUUID(organizationIds.toArray(UUID[]::new))).map(rows -> {
          List<UUID> ended = new ArrayList<>();
          rows.forEach(row -> ended.add(row.getUUID("run_id")));
          return ended;
        });
  }

  public Future<Boolean> starting(SqlClient client, UUID id, String serviceId) {
    return client.preparedQuery(STARTING).execute(Tuple.of(id, serviceId)).map(rows -> rows.rowCount() == 1);
  }

  public Future<Void> running(SqlClient client, UUID id) {
    return client.preparedQuery(RUNNING).execute(Tuple.of(id)).mapEmpty();
  }

  /** Ends an active run; false when it had already ended. */
  public Future<Boolean> finish(SqlClient client, UUID id, String status, Integer exitCode, String output, String reason) {
    return client.preparedQuery(FINISH).execute(Tuple.of(id, status, exitCode, output, reason)).map(rows -> rows.rowCount() == 1);
  }

  /** Cancels an active run of the organization; its service id (null when it had none or had already ended). */
  public Future<Ended> cancel(SqlClient client, UUID organizationId, UUID id, String reason) {
    return client.preparedQuery(CANCEL).execute(Tuple.of(id, organizationId, reason))
        .map(rows -> rows.rowCount() == 0 ? new Ended(false, null) : new Ended(true, rows.iterator().next().getString("swarm_service_id")));
  }

  /** Whether a cancel ended the run, and the service it leaves to remove. */
  public record Ended(boolean ended, String serviceId) {
  }

  /** Cancels the active runs of environments being deleted; the supervisor removes their services. */
  public Future<Integer> cancelForEnvironments(SqlClient client, UUID organizationId, List<UUID> environmentIds, String reason) {
    return client.preparedQuery(CANCEL_ENVIRONMENTS).execute(Tuple.of(environmentIds.toArray(UUID[]::new), organizationId, reason))
        .map(RowSet::rowCount);
  }

  private static List<Run> runs(RowSet<Row> rows) {
    List<Run> runs = new ArrayList<>();
    rows.forEach(row -> runs.add(from(row)));
    return runs;
  }

  private static Run from(Row row) {
    return new Run(row.getUUID("id"), row.getUUID("organization_id"), row.getUUID("environment_id"), row.getUUID("release_id"),
        row.getString("command"), row.getBoolean("attached"), row.getString("size"), row.getString("status"), row.getInteger("exit_code"),
        row.getInteger("timeout_seconds"), row.getString("swarm_service_id"), row.getString("output"), row.getString("status_reason"),
        row.getOffsetDateTime("started_at"), row.getOffsetDateTime("finished_at"), row.getUUID("user_id"), row.getOffsetDateTime("created_at"));
  }
}
