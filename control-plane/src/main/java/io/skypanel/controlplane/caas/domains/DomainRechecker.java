package io.skypanel.controlplane.caas.domains;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Re-checks pending custom domains in the background, so a customer who published the TXT record need not call
 * verify again: every {@code SKYPANEL_DOMAIN_RECHECK_MS} (0 disables it) the least recently checked pending domains
 * younger than {@link DomainService#RECHECK_WINDOW} are looked up one after the other. A Redis lock that expires by
 * itself lets one control-plane replica do a pass per interval.
 */
public final class DomainRechecker {

  private static final Logger LOG = LoggerFactory.getLogger(DomainRechecker.class);
  /** Domains per pass; checked one at a time, so a pass costs at most this many DNS timeouts. */
  private static final int BATCH = 100;

  private final Vertx vertx;
  private final DomainService domains;
  private final RedisAPI redis;
  private final String lockKey;
  private long timer = -1;
  private boolean running;

  public DomainRechecker(Vertx vertx, DomainService domains, RedisAPI redis, String redisPrefix) {
    this.vertx = vertx;
    this.domains = domains;
    this.redis = redis;
    this.lockKey = redisPrefix + "caas:domains:recheck";
  }

  public void start(long intervalMs) {
    if (intervalMs > 0) {
      timer = vertx.setPeriodic(intervalMs, intervalMs, id -> pass(intervalMs));
    }
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void pass(long intervalMs) {
    if (running) {
      return;
    }
    running = true;
    redis.set(List.of(lockKey, "1", "NX", "PX", Long.toString(intervalMs)))
        .compose(acquired -> acquired == null ? Future.succeededFuture() : domains.dueForRecheck(BATCH).compose(due -> {
          Future<Void> chain = Future.succeededFuture();
          for (DomainRow row : due) {
            chain = chain.compose(v -> domains.recheck(row).recover(err -> {
              LOG.debug("background check of domain {} failed: {}", row.id(), err.getMessage());
              return Future.succeededFuture();
            }));
          }
          return chain;
        }))
        .onFailure(err -> LOG.warn("background check of pending custom domains failed: {}", err.getMessage()))
        .onComplete(done -> running = false);
  }
}
