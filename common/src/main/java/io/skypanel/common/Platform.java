package io.skypanel.common;

import io.skypanel.common.auth.AccessTokens;
import io.skypanel.common.auth.Authenticator;
import io.skypanel.common.config.Settings;
import io.skypanel.common.crypto.SecretBox;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.events.PlatformEvents;
import io.skypanel.common.health.ReadinessChecks;
import io.skypanel.common.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;

/**
 * Everything a service verticle shares with the others in its process: settings, the database pool,
 * Redis, the Docker engine, the secret box, token verification, events and metrics. Built once by
 * {@link PlatformBootstrap}; each verticle receives it in its constructor.
 */
public record Platform(
    Vertx vertx,
    Settings settings,
    Pool pool,
    Redis redis,
    RedisAPI redisApi,
    String redisPrefix,
    DockerEngine docker,
    SecretBox secrets,
    AccessTokens accessTokens,
    Authenticator authenticator,
    PlatformEvents events,
    Metrics metrics) {

  /** Readiness report for one service of this process. */
  public ReadinessChecks readiness(String service) {
    return new ReadinessChecks(service, pool, redisApi, docker);
  }

  /** The same shared parts under other settings (the launcher gives a service addresses it computed). */
  public Platform withSettings(Settings replaced) {
    return new Platform(vertx, replaced, pool, redis, redisApi, redisPrefix, docker, secrets, accessTokens, authenticator, events, metrics);
  }

  /** Releases connections; the Vert.x instance is closed by its owner. */
  public Future<Void> close() {
    docker.close();
    return Future.join(events.close(), pool.close(), Future.succeededFuture().andThen(x -> redis.close())).mapEmpty();
  }
}
