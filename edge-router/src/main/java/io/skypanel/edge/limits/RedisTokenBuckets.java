package io.skypanel.edge.limits;

import io.skypanel.edge.routing.RoutePolicy.RateLimit;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.util.List;

/**
 * Token buckets kept in Redis, so every edge replica draws from the same bucket. One atomic script refills the
 * bucket from the time elapsed (Redis' own clock, so replicas' clocks don't matter) and hands out up to the
 * requested number of tokens.
 */
public final class RedisTokenBuckets {

  /** KEYS[1] bucket; ARGV rate per second, burst, tokens wanted. Returns the tokens granted. */
  private static final String TAKE = """
      local rate = tonumber(ARGV[1])
      local burst = tonumber(ARGV[2])
      local wanted = tonumber(ARGV[3])
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
      local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
      local tokens = tonumber(state[1]) or burst
      local at = tonumber(state[2]) or now
      tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
      local granted = math.min(wanted, math.floor(tokens))
      tokens = tokens - granted
      redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
      redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
      return granted""";

  private final RedisAPI redis;
  private final String prefix;

  public RedisTokenBuckets(RedisAPI redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix;
  }

  /** Takes up to {@code wanted} tokens from the bucket {@code key}; the future holds how many were granted. */
  public Future<Integer> take(String key, RateLimit limit, int wanted) {
    return redis.eval(List.of(TAKE, "1", prefix + "edge:bucket:" + key,
            Integer.toString(limit.perSecond()), Integer.toString(limit.burst()), Integer.toString(wanted)))
        .map(Response::toInteger);
  }
}
