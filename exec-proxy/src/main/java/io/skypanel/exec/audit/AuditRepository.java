package io.skypanel.exec.audit;

import io.skypanel.exec.sessions.SessionInfo;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * SQL of {@code caas_exec_audit}: a row when a session starts, closed once when it ends (the table's guard trigger
 * freezes it after that), listed per container, and the transcript of one session.
 */
public final class AuditRepository {

  private static final int REASON_LENGTH = 255;
  private static final String INSERT = """
      INSERT INTO caas_exec_audit (id, organization_id, container_id, container_name, user_id, task_id, docker_container_id,
                                   command, tty, client_ip, run_id)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::inet, $11)""";
  private static final String FINISH = """
      UPDATE caas_exec_audit
         SET ended_at = GREATEST(now(), started_at), duration_ms = $2, exit_code = $3, status = $4, end_reason = $5,
             bytes_in = $6, bytes_out = $7, transcript = $8
       WHERE id = $1 AND status = 'running'""";
  private static final String PAGE = """
      SELECT a.id, a.user_id, u.email AS user_email, a.task_id, a.docker_container_id, a.command, a.tty,
             host(a.client_ip) AS client_ip, a.started_at, a.ended_at, a.duration_ms, a.exit_code, a.status, a.end_reason,
             a.bytes_in, a.bytes_out, a.transcript IS NOT NULL AS has_transcript
        FROM caas_exec_audit a LEFT JOIN users u ON u.id = a.user_id
       WHERE a.organization_id = $1 AND a.container_id = $2
         AND ($3::timestamptz IS NULL OR (a.started_at, a.id) < ($3, $4))
       ORDER BY a.started_at DESC, a.id DESC
       LIMIT $5""";
  private static final String ANY = """
      SELECT EXISTS (SELECT 1 FROM caas_exec_audit WHERE organization_id = $1 AND container_id = $2) AS found""";
  private static final String TRANSCRIPT = """
      SELECT transcript FROM caas_exec_audit WHERE id = $1 AND organization_id = $2 AND container_id = $3""";
  private static final String ORPHANS = """
      SELECT id FROM caas_exec_audit
       WHERE status = 'running' AND started_at < now() - make_interval(secs => $1)
       ORDER BY started_at LIMIT 500""";
  private static final String CLOSE_ORPHAN = """
      UPDATE caas_exec_audit
         SET ended_at = GREATEST(now(), started_at),
             duration_ms = (extract(epoch FROM GREATEST(now(), started_at) - started_at) * 1000)::bigint,
             status = 'failed', end_reason = $2
       WHERE id = $1 AND status = 'running'""";

  private final Pool pool;

  public AuditRepository(Pool pool) {
    this.pool = pool;
  }

  /** The row of a session that is starting (status {@code running}). */
  public Future<Void> start(SessionInfo session) {
    return pool.preparedQuery(INSERT).execute(Tuple.from(new Object[] {
        session.id(), session.organizationId(), session.containerId(), session.containerName(), session.userId(),
        session.taskId(), session.dockerContainerId(), session.command().toArray(String[]::new), session.tty(),
        session.clientIp(), session.runId()})).mapEmpty();
  }

  /** Closes the row; a row already closed (by the orphan sweep) stays as it is. */
  public Future<Void> finish(UUID sessionId, AuditEnd end) {
    return pool.preparedQuery(FINISH).execute(Tuple.from(new Object[] {
        sessionId, end.durationMs(), end.exitCode(), end.status(), truncate(end.reason()), end.bytesIn(), end.bytesOut(),
        end.transcript() == null ? null : Buffer.buffer(end.transcript())})).mapEmpty();
  }

  /** Newest first, strictly after the cursor position; one row more than {@code limit} proves a next page. */
  public Future<List<JsonObject>> page(UUID organizationId, UUID containerId, OffsetDateTime afterStartedAt, UUID afterId, int limit) {
    return pool.preparedQuery(PAGE).execute(Tuple.from(new Object[] {organizationId, containerId, afterStartedAt, afterId, limit}))
        .map(rows -> {
          List<JsonObject> page = new ArrayList<>();
          for (Row row : rows) {
            page.add(json(row));
          }
          return page;
        });
  }

  /** Whether the organization has any audit row for this container id (the container itself may be deleted). */
  public Future<Boolean> any(UUID organizationId, UUID containerId) {
    return pool.preparedQuery(ANY).execute(Tuple.of(organizationId, containerId)).map(rows -> rows.iterator().next().getBoolean("found"));
  }

  /**
   * The gzip transcript: null when no such row exists for this organization and container, an empty buffer when
   * the row has none.
   */
  public Future<Buffer> transcript(UUID organizationId, UUID containerId, UUID auditId) {
    return pool.preparedQuery(TRANSCRIPT).execute(Tuple.of(auditId, organizationId, containerId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Buffer transcript = rows.iterator().next().getBuffer("transcript");
      return transcript == null ? Buffer.buffer() : transcript;
    });
  }

  /** Rows still {@code running} that started more than {@code olderThanSeconds} ago. */
  public Future<List<UUID>> runningOlderThan(long olderThanSeconds) {
    return pool.preparedQuery(ORPHANS).execute(Tuple.of((double) olderThanSeconds)).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID("id")));
      return ids;
    });
  }

  /** Closes a row whose session no replica holds any more. */
  public Future<Boolean> closeOrphan(UUID id, String reason) {
    return pool.preparedQuery(CLOSE_ORPHAN).execute(Tuple.of(id, truncate(reason))).map(rows -> rows.rowCount() == 1);
  }

  private static JsonObject json(Row row) {
    OffsetDateTime ended = row.getOffsetDateTime("ended_at");
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("user_id", row.getUUID("user_id").toString())
        .put("user_email", row.getString("user_email"))
        .put("task_id", row.getString("task_id"))
        .put("docker_container_id", row.getString("docker_container_id"))
        .put("command", new JsonArray(Arrays.asList(row.getArrayOfStrings("command"))))
        .put("tty", row.getBoolean("tty"))
        .put("client_ip", row.getString("client_ip"))
        .put("started_at", row.getOffsetDateTime("started_at").toString())
        .put("ended_at", ended == null ? null : ended.toString())
        .put("duration_ms", row.getLong("duration_ms"))
        .put("exit_code", row.getInteger("exit_code"))
        .put("status", row.getString("status"))
        .put("end_reason", row.getString("end_reason"))
        .put("bytes_in", row.getLong("bytes_in"))
        .put("bytes_out", row.getLong("bytes_out"))
        .put("has_transcript", row.getBoolean("has_transcript"));
  }

  private static String truncate(String reason) {
    return reason == null || reason.length() <= REASON_LENGTH ? reason : reason.substring(0, REASON_LENGTH);
  }
}
