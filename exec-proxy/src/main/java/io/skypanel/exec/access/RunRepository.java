package io.skypanel.exec.access;

import io.skypanel.exec.audit.AuditEnd;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * The exec proxy's SQL on {@code paas_runs}: an interactive run is looked up within the caller's organization, taken by
 * one console session at most ({@code session_id}, set atomically), and ended by that session. Every change is
 * conditional on the run being active, so the control plane's supervisor (timeouts, cancels) and the session race safely.
 */
public final class RunRepository {

  private static final String RUN = """
      SELECT id, status, attached, swarm_service_id, session_id, command FROM paas_runs WHERE id = $1 AND organization_id = $2""";
  private static final String CLAIM = """
      UPDATE paas_runs SET session_id = $2
       WHERE id = $1 AND attached AND session_id IS NULL AND status IN ('pending', 'starting', 'running')""";
  /** Only the session that holds the run ends it; finished_at may not precede started_at (paas_runs_finished_check). */
  private static final String ENDED = """
      UPDATE paas_runs SET status = $3, exit_code = $4, status_reason = $5, started_at = coalesce(started_at, now()), finished_at = now()
       WHERE id = $1 AND session_id = $2 AND status IN ('pending', 'starting', 'running')""";

  /** The parts of a run the exec proxy needs. */
  public record RunRef(UUID id, String status, boolean attached, String serviceId, UUID sessionId, String command) {

    public boolean active() {
      return "pending".equals(status) || "starting".equals(status) || "running".equals(status);
    }
  }

  private final Pool pool;

  public RunRepository(Pool pool) {
    this.pool = pool;
  }

  /** The organization's run, or null (unknown and foreign ids alike). */
  public Future<RunRef> run(UUID runId, UUID organizationId) {
    return pool.preparedQuery(RUN).execute(Tuple.of(runId, organizationId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new RunRef(row.getUUID("id"), row.getString("status"), row.getBoolean("attached"), row.getString("swarm_service_id"),
          row.getUUID("session_id"), row.getString("command"));
    });
  }

  /** Takes the run for this session; false when another session holds it or it is no longer active. */
  public Future<Boolean> claim(UUID runId, UUID sessionId) {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(runId, sessionId)).map(rows -> rows.rowCount() == 1);
  }

  /**
   * Ends the run its session held, as the session ended: the command's exit 0 {@code succeeded}, another exit code
   * {@code failed}; an idle or too long session {@code timeout}; a client gone or an administrator's kill
   * {@code cancelled}; an engine failure {@code failed}. The control plane's supervisor then removes the run's task.
   */
  public Future<Void> ended(UUID runId, UUID sessionId, AuditEnd end) {
    String status = switch (end.status()) {
      case "completed" -> end.exitCode() != null && end.exitCode() == 0 ? "succeeded" : "failed";
      case "timeout" -> "timeout";
      case "killed" -> "cancelled";
      default -> "failed";
    };
    String reason = "completed".equals(end.status())
        ? (end.exitCode() == null ? "the command's exit code is unknown" : end.exitCode() == 0 ? null : "the command exited " + end.exitCode())
        : "the console session ended: " + end.reason();
    return pool.preparedQuery(ENDED).execute(Tuple.of(runId, sessionId, status, end.exitCode(), reason)).mapEmpty();
  }
}
