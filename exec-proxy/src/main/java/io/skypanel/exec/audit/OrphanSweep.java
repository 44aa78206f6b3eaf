package io.skypanel.exec.audit;

import io.skypanel.exec.ExecOptions;
import io.skypanel.exec.sessions.SessionRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Closes audit rows left {@code running} by a replica that died: a row older than two leases whose session no
 * replica holds in Redis any more is closed as {@code failed} ("exec proxy lost the session"). Every replica runs
 * it; closing is idempotent. Whatever such a session started in its container may still run.
 */
public final class OrphanSweep {

  private static final Logger LOG = LoggerFactory.getLogger(OrphanSweep.class);
  static final long INTERVAL_MS = 60_000;
  static final String REASON = "exec proxy lost the session (the replica running it stopped)";

  private final Vertx vertx;
  private final AuditRepository audit;
  private final SessionRegistry registry;
  private long timer = -1;

  public OrphanSweep(Vertx vertx, AuditRepository audit, SessionRegistry registry) {
    this.vertx = vertx;
    this.audit = audit;
    this.registry = registry;
  }

  public void start() {
    timer = vertx.setPeriodic(INTERVAL_MS, id -> sweep());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** One pass; completes with the number of rows closed. */
  public Future<Integer> sweep() {
    return audit.runningOlderThan(2 * ExecOptions.LEASE.toSeconds()).compose(candidates -> {
      if (candidates.isEmpty()) {
        return Future.succeededFuture(0);
      }
      return registry.list().compose(live -> {
        Set<String> open = live.stream().map(session -> session.getString("id")).collect(Collectors.toSet());
        List<Future<Boolean>> closing = candidates.stream()
            .filter(id -> !open.contains(id.toString()))
            .map(id -> audit.closeOrphan(id, REASON))
            .toList();
        return Future.join(closing).map(all -> (int) closing.stream().filter(f -> Boolean.TRUE.equals(f.result())).count());
      });
    }).onSuccess(closed -> {
      if (closed > 0) {
        LOG.warn("closed {} exec audit rows whose session was lost", closed);
      }
    }).onFailure(err -> LOG.warn("the exec audit sweep failed: {}", err.getMessage()));
  }
}
