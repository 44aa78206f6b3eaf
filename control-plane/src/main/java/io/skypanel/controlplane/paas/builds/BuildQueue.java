package io.skypanel.controlplane.paas.builds;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;

/**
 * The durable build queue: {@code paas_builds} in PostgreSQL, worked by one instance per control plane under its own
 * worker id. A build is leased by the control plane that accepted it (only it has the source and the submitter
 * waiting), which renews its leases on a heartbeat and claims its next build with one serialized statement
 * ({@link BuildRepository#claim}): at most {@code perOrganization} of one organization and {@code global} in all run
 * at once across every control plane on the database, organizations served in turn. A build whose worker died keeps
 * its expired lease until any control plane's sweeper fails it with {@link #LEASE_EXPIRED}; it never runs twice (a
 * worker records its end only while it still holds the lease). New and finished builds wake the dispatcher at once;
 * a slow poll notices slots freed on other control planes. All state is touched on the context that started it.
 */
public final class BuildQueue {

  private static final Logger LOG = LoggerFactory.getLogger(BuildQueue.class);
  /** Why a build whose worker stopped heartbeating was failed. */
  public static final String LEASE_EXPIRED = "the build's worker stopped (lease expired)";

  /** Runs a claimed build to its end and records it ({@link BuildRepository#finishOwned}); the future never needs to fail. */
  @FunctionalInterface
  public interface Runner {
    Future<Void> run(BuildRepository.Claim claim);
  }

  /** Told after each heartbeat which unfinished builds this worker still holds (checked at {@code sinceNanos}). */
  @FunctionalInterface
  public interface Holdings {
    void held(Set<UUID> held, long sinceNanos);
  }

  /**
   * @param perOrganization builds of one organization running at once, across control planes
   * @param global          builds running at once, across control planes
   * @param lease           how long a lease lasts without a heartbeat
   * @param heartbeat       how often the worker renews its leases (well under {@code lease})
   * @param poll            how often the dispatcher and the sweeper look without being woken
   */
  public record Settings(int perOrganization, int global, Duration lease, Duration heartbeat, Duration poll) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Settings settings;
  private final String workerId;
  private final BuildRepository builds = new BuildRepository();
  private Context context;
  private Runner runner;
  private Holdings holdings;
  private long heartbeatTimer = -1;
  private long pollTimer = -1;
  private boolean claiming;
  private boolean again;
  private volatile boolean stopped;

  public BuildQueue(Vertx vertx, Pool pool, Settings settings) {
    this(vertx, pool, settings, "cp-" + UUID.randomUUID());
  }

  BuildQueue(Vertx vertx, Pool pool, Settings settings, String workerId) {
    this.vertx = vertx;
    this.pool = pool;
    this.settings = settings;
    this.workerId = workerId;
  }

  /** This process's lease owner name (new at every start, so a restarted control plane never resumes old leases). */
  public String workerId() {
    return workerId;
  }

  public Duration lease() {
    return settings.lease();
  }

  /**
   * Sweeps what dead workers left, then heartbeats, polls and dispatches, all on the caller's context (a new one when
   * called outside Vert.x) so the dispatcher's state has a single thread.
   */
  public Future<Void> start(Runner runner, Holdings holdings) {
    this.context = vertx.getOrCreateContext();
    this.runner = runner;
    this.holdings = holdings;
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> sweep().onSuccess(swept -> {
      heartbeatTimer = vertx.setPeriodic(settings.heartbeat().toMillis(), id -> heartbeat());
      pollTimer = vertx.setPeriodic(settings.poll().toMillis(), id -> sweep().onComplete(done -> dispatch()));
      dispatch();
    }).onComplete(started));
    return started.future();
  }

  /** Stops claiming and heartbeating; builds running here lose their leases and are swept by a live control plane. */
  public void stop() {
    stopped = true;
    vertx.cancelTimer(heartbeatTimer);
    vertx.cancelTimer(pollTimer);
  }

  /** Something changed here (a build queued or ended): look for a build to start now. */
  public void wake() {
    if (context != null) {
      context.runOnContext(v -> dispatch());
    }
  }

  private void dispatch() {
    if (stopped) {
      return;
    }
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    again = false;
    builds.claim(pool, workerId, settings.perOrganization(), settings.global(), settings.lease()).onComplete(done -> {
      claiming = false;
      if (done.failed()) {
        // the next poll or wake-up tries again
        LOG.warn("claiming the next build failed: {}", done.cause().getMessage());
        return;
      }
      if (done.result() != null) {
        start(done.result());
        dispatch();
      } else if (again) {
        dispatch();
      }
    });
  }

  private void start(BuildRepository.Claim claim) {
    Future<Void> run;
    try {
      run = runner.run(claim);
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    run.recover(err -> {
      LOG.error("build {} ended without recording its end", claim.buildId(), err);
      return builds.finishOwned(pool, claim.buildId(), workerId, "failed",
          "the build failed on the platform's side (" + err.getClass().getSimpleName() + "); it was logged", null, null).mapEmpty();
    }).onComplete(done -> {
      if (done.failed()) {
        LOG.error("recording the end of build {} failed", claim.buildId(), done.cause());
      }
      // the slot is free: look for the next build at once
      context.runOnContext(v -> dispatch());
    });
  }

  private void heartbeat() {
    long since = System.nanoTime();
    builds.renew(pool, workerId, settings.lease()).onComplete(done -> {
      if (done.failed()) {
        // the leases run out if this keeps failing; then a live control plane's sweeper fails the builds
        LOG.warn("renewing the build leases of {} failed: {}", workerId, done.cause().getMessage());
        return;
      }
      holdings.held(done.result(), since);
    });
  }

  private Future<Void> sweep() {
    return builds.sweep(pool, LEASE_EXPIRED).map(swept -> {
      if (!swept.isEmpty()) {
        LOG.warn("{} builds whose worker stopped were failed (lease expired): {}", swept.size(), swept);
      }
      return (Void) null;
    }).recover(err -> {
      LOG.warn("sweeping builds with expired leases failed: {}", err.getMessage());
      return Future.succeededFuture();
    });
  }
}
