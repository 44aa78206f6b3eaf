package io.skypanel.common;

import io.skypanel.common.auth.AccessTokens;
import io.skypanel.common.auth.Authenticator;
import io.skypanel.common.auth.JwtKeys;
import io.skypanel.common.config.Settings;
import io.skypanel.common.crypto.MasterKey;
import io.skypanel.common.crypto.SecretBox;
import io.skypanel.common.db.Database;
import io.skypanel.common.db.DatabaseOptions;
import io.skypanel.common.db.Migrator;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.DockerOptions;
import io.skypanel.common.events.PlatformEvents;
import io.skypanel.common.metrics.Metrics;
import io.skypanel.common.redis.RedisConnector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;

import java.nio.file.Path;

/**
 * Connects a process to the platform's state in a fixed order: migrate (when this process owns the
 * schema), open the PostgreSQL pool and Redis, probe Docker, unseal the master key, load the token keys.
 * Any failure of a required dependency fails the start with a message naming it.
 */
public final class PlatformBootstrap {

  private PlatformBootstrap() {
  }

  /**
   * @param migrate apply {@code migrations/} first; true for the control plane, which owns the schema
   */
  public static Future<Platform> start(Vertx vertx, Settings settings, Metrics metrics, boolean migrate) {
    DatabaseOptions database;
    String redisUrl = settings.optional("REDIS_URL");
    try {
      database = DatabaseOptions.from(settings);
      if (redisUrl == null) {
        throw new IllegalStateException("REDIS_URL is not set");
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Future<?> schema = migrate ? Migrator.migrate(vertx, database) : Future.succeededFuture();
    return schema.compose(done -> {
      Pool pool = Database.pool(vertx, database);
      Redis redis = RedisConnector.client(vertx, redisUrl);
      RedisAPI redisApi = RedisConnector.api(redis);
      String prefix = settings.string("SKYPANEL_REDIS_PREFIX", "skypanel:");
      Future<Void> databaseUp = pool.query("SELECT 1").execute().<Void>mapEmpty()
          .recover(err -> Future.failedFuture(new IllegalStateException("PostgreSQL at " + database + " is unreachable: " + err.getMessage(), err)));
      Future<Void> redisUp = redisApi.ping(java.util.List.of()).<Void>mapEmpty()
          .recover(err -> Future.failedFuture(new IllegalStateException("Redis is unreachable: " + err.getMessage(), err)));
      Future<DockerEngine> docker = DockerEngine.connect(vertx, DockerOptions.from(settings));
      Future<SecretBox> box = vertx.executeBlocking(() -> new SecretBox(
          MasterKey.load(settings.optional("SKYPANEL_MASTER_KEY"), Path.of(settings.string("SKYPANEL_DATA_DIR", "./data")))));
      return Future.all(databaseUp, redisUp, docker, box)
          .compose(all -> JwtKeys.load(settings, pool, box.result()))
          .map(keys -> {
            AccessTokens tokens = new AccessTokens(vertx, keys, settings.string("SKYPANEL_JWT_ISSUER", "skypanel"),
                settings.integer("SKYPANEL_ACCESS_TOKEN_TTL", 900));
            return new Platform(vertx, settings, pool, redis, redisApi, prefix, docker.result(), box.result(), tokens,
                new Authenticator(tokens, pool), new PlatformEvents(vertx, redis, redisApi, prefix), metrics);
          })
          .onFailure(err -> {
            pool.close();
            redis.close();
            if (docker.succeeded()) {
              docker.result().close();
            }
          });
    });
  }
}
