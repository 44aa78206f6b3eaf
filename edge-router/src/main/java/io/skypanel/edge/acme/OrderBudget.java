package io.skypanel.edge.acme;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * How many orders the ACME account may still place this clock hour, shared by every replica: a Redis counter
 * per account and hour. Keeps the platform well under the CA's own limits, whose penalty is far longer than ours.
 */
public final class OrderBudget {

  private final RedisAPI redis;
  private final String prefix;
  private final int perHour;

  /** @param account a stable id of the ACME account (directory + key) */
  public OrderBudget(RedisAPI redis, String redisPrefix, String account, int perHour) {
    this.redis = redis;
    this.prefix = redisPrefix + "acme:orders:" + account + ":";
    this.perHour = perHour;
  }

  /** Takes one order from this hour's budget; false when it is spent (nothing is taken then). */
  public Future<Boolean> take(Instant now) {
    String key = prefix + now.truncatedTo(ChronoUnit.HOURS).getEpochSecond();
    return redis.incr(key).compose(count -> {
      long used = count.toLong();
      Future<Response> expiry = used == 1 ? redis.expire(List.of(key, "7200")) : Future.succeededFuture();
      if (used <= perHour) {
        return expiry.map(true);
      }
      return expiry.compose(v -> redis.decr(key)).map(false);
    });
  }

  /** When the next hour's budget starts. */
  public static Instant nextWindow(Instant now) {
    return now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
  }
}
