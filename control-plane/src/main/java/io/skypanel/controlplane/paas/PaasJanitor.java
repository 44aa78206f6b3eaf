package io.skypanel.controlplane.paas;

import io.skypanel.controlplane.paas.apps.AppRepository;
import io.skypanel.controlplane.paas.environments.EnvironmentRepository;
import io.skypanel.controlplane.paas.releases.ReleaseRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background housekeeping of the PaaS rows: removes deleted apps and environments once the reconciler has torn down
 * all their workloads (their releases go with them), and fails releases whose release phase nobody watches any more.
 */
public final class PaasJanitor {

  private static final Logger LOG = LoggerFactory.getLogger(PaasJanitor.class);

  private final Vertx vertx;
  private final Pool pool;
  private final long abandonedAfterSeconds;
  private final AppRepository apps = new AppRepository();
  private final EnvironmentRepository environments = new EnvironmentRepository();
  private final ReleaseRepository releases = new ReleaseRepository();
  private long timer = -1;
  private String lastFailure;

  /** @param abandonedAfterSeconds a pending release older than this (longer than any release phase may run) is failed */
  public PaasJanitor(Vertx vertx, Pool pool, long abandonedAfterSeconds) {
    this.vertx = vertx;
    this.pool = pool;
    this.abandonedAfterSeconds = abandonedAfterSeconds;
  }

  public void start(long intervalMs) {
    timer = vertx.setPeriodic(intervalMs, id -> sweep());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  Future<Void> sweep() {
    return apps.deleteFinished(pool)
        .compose(deleted -> environments.deleteFinished(pool))
        .compose(v -> releases.failAbandoned(pool, abandonedAfterSeconds))
        .<Void>mapEmpty()
        .onSuccess(v -> lastFailure = null)
        .onFailure(err -> {
          // logged once per distinct cause, not every sweep
          if (!String.valueOf(err.getMessage()).equals(lastFailure)) {
            lastFailure = String.valueOf(err.getMessage());
            LOG.warn("PaaS housekeeping failed: {}", err.getMessage());
          }
        });
  }
}
