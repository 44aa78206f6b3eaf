package io.skypanel.edge.acme;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A lease in Redis per hostname, so only one edge replica orders a given certificate at a time:
 * {@code SET key token NX PX ttl}. Only the holder's token releases it (compare-and-delete in one script), so a
 * replica whose lease expired mid-order cannot release the lease a later replica took.
 */
public final class HostLock {

  private static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

  /** A held lease. */
  public record Lease(String key, String token) {
  }

  private final RedisAPI redis;
  private final String prefix;
  private final Duration ttl;

  public HostLock(RedisAPI redis, String redisPrefix, Duration ttl) {
    this.redis = redis;
    this.prefix = redisPrefix + "acme:lock:";
    this.ttl = ttl;
  }

  /** The lease, or null when another holder has it. */
  public Future<Lease> tryAcquire(String hostname) {
    Lease lease = new Lease(prefix + hostname, UUID.randomUUID().toString());
    return redis.set(List.of(lease.key(), lease.token(), "NX", "PX", Long.toString(ttl.toMillis())))
        .map(reply -> reply != null && "OK".equals(reply.toString()) ? lease : null);
  }

  /** True when this lease was still held and is now released. */
  public Future<Boolean> release(Lease lease) {
    return redis.eval(List.of(RELEASE, "1", lease.key(), lease.token())).map(Response::toLong).map(deleted -> deleted == 1L);
  }
}
