package io.skypanel.edge.health;

import io.vertx.redis.client.RedisAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Publishes each health round's {@link Reachability} in Redis for the control plane: one hash per container
 * ({@code <prefix>edge:reach:<container id>}), one field per edge replica, expiring after a few rounds so a
 * stopped replica's view disappears by itself.
 */
public final class ReachabilityReporter implements Consumer<Map<UUID, Reachability>> {

  private static final Logger LOG = LoggerFactory.getLogger(ReachabilityReporter.class);
  /** The key prefix (after the platform's Redis prefix); the control plane reads the same keys. */
  public static final String KEY = "edge:reach:";

  private final RedisAPI redis;
  private final String prefix;
  private final String replica;
  private final long ttlMs;
  private boolean failing;

  public ReachabilityReporter(RedisAPI redis, String redisPrefix, String replica, long intervalMs) {
    this.redis = redis;
    this.prefix = redisPrefix + KEY;
    this.replica = replica;
    this.ttlMs = Math.max(3 * intervalMs, 5_000);
  }

  @Override
  public void accept(Map<UUID, Reachability> round) {
    round.forEach((containerId, reach) -> {
      String key = prefix + containerId;
      redis.hset(List.of(key, replica, reach.toJson().encode()))
          .compose(v -> redis.pexpire(List.of(key, Long.toString(ttlMs))))
          .onSuccess(v -> {
            if (failing) {
              failing = false;
              LOG.info("reporting endpoint reachability to Redis again");
            }
          })
          .onFailure(err -> {
            // reported once per outage: the next round tries again anyway
            if (!failing) {
              failing = true;
              LOG.warn("could not report endpoint reachability to Redis: {}", err.getMessage());
            }
          });
    });
  }
}
