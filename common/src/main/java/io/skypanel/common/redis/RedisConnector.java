package io.skypanel.common.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/** Creates the Redis client shared by a process: fast shared state (rate limits, challenges) and pub/sub. */
public final class RedisConnector {

  private RedisConnector() {
  }

  public static Redis client(Vertx vertx, String url) {
    return Redis.createClient(vertx, new RedisOptions()
        .setType(RedisClientType.STANDALONE)
        .setConnectionString(url)
        .setMaxPoolSize(16)
        .setMaxPoolWaiting(256));
  }

  /** A client of its own with its own pool bounds (e.g. connections held by blocking reads, one per viewer). */
  public static Redis client(Vertx vertx, String url, int maxPoolSize, int maxPoolWaiting) {
    return Redis.createClient(vertx, new RedisOptions()
        .setType(RedisClientType.STANDALONE)
        .setConnectionString(url)
        .setMaxPoolSize(maxPoolSize)
        .setMaxPoolWaiting(maxPoolWaiting));
  }

  public static RedisAPI api(Redis client) {
    return RedisAPI.api(client);
  }
}
