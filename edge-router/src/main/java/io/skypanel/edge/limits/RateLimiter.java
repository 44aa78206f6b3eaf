package io.skypanel.edge.limits;

import io.skypanel.edge.routing.RoutePolicy.RateLimit;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * Rate limits shared by every edge replica without a Redis round trip per request: tokens are taken from the
 * shared {@link RedisTokenBuckets} in small leases (a tenth of a second's worth) and spent locally; a lease
 * not spent within {@link #LEASE_NANOS} is dropped, so a quiet replica never hoards what a busy one needs.
 * One instance per event loop (no locking); a request waiting for a lease waits only for that lease's answer.
 * If Redis fails the request is let through: an outage of the limiter must not become an outage of every app.
 */
public final class RateLimiter {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
  private static final long LEASE_NANOS = 1_000_000_000L;

  private final RedisTokenBuckets buckets;
  private final Map<String, Lease> leases = new HashMap<>();
  private long lastFailureLog;

  public RateLimiter(RedisTokenBuckets buckets) {
    this.buckets = buckets;
  }

  private static final class Lease {
    int tokens;
    long expiresAt;
    boolean fetching;
    final Queue<Promise<Boolean>> waiting = new ArrayDeque<>();
  }

  /** True when the request may pass: one token taken from the bucket {@code key}. */
  public Future<Boolean> acquire(String key, RateLimit limit) {
    Lease lease = leases.computeIfAbsent(key, k -> new Lease());
    long now = System.nanoTime();
    if (lease.tokens > 0 && lease.expiresAt - now > 0) {
      lease.tokens--;
      return Future.succeededFuture(true);
    }
    Promise<Boolean> promise = Promise.promise();
    lease.waiting.add(promise);
    if (!lease.fetching) {
      fetch(key, limit, lease);
    }
    return promise.future();
  }

  private void fetch(String key, RateLimit limit, Lease lease) {
    lease.fetching = true;
    int wanted = Math.max(1, Math.min(limit.burst(), limit.perSecond() / 10));
    wanted = Math.max(wanted, Math.min(lease.waiting.size(), limit.burst()));
    buckets.take(key, limit, wanted).onComplete(result -> {
      lease.fetching = false;
      if (result.failed()) {
        logFailure(result.cause());
        Promise<Boolean> next;
        while ((next = lease.waiting.poll()) != null) {
          next.complete(true);
        }
        return;
      }
      lease.tokens = result.result();
      lease.expiresAt = System.nanoTime() + LEASE_NANOS;
      Promise<Boolean> next;
      while ((next = lease.waiting.peek()) != null && lease.tokens > 0) {
        lease.waiting.poll();
        lease.tokens--;
        next.complete(true);
      }
      if (result.result() == 0) {
        // the shared bucket is empty: everyone who asked in this round is over the limit
        while ((next = lease.waiting.poll()) != null) {
          next.complete(false);
        }
      } else if (!lease.waiting.isEmpty()) {
        fetch(key, limit, lease);
      }
      if (lease.tokens == 0 && lease.waiting.isEmpty()) {
        leases.remove(key, lease);
      }
    });
  }

  private void logFailure(Throwable cause) {
    long now = System.currentTimeMillis();
    if (now - lastFailureLog > 60_000) {
      lastFailureLog = now;
      LOG.warn("rate limiter cannot reach Redis, letting requests through: {}", cause.getMessage());
    }
  }
}
