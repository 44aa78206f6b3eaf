package io.skypanel.common.health;

import io.skypanel.common.docker.DockerEngine;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code /healthz} says the process is alive; {@code /readyz} reports each dependency. PostgreSQL and
 * Redis are required (503 without them); a missing Docker engine degrades the platform (orchestration
 * unavailable) but the API still serves, so it stays 200 with {@code "status":"degraded"}.
 */
public final class ReadinessChecks {

  private static final long CHECK_TIMEOUT_MS = 2000;

  private final String service;
  private final Pool pool;
  private final RedisAPI redis;
  private final DockerEngine docker;

  public ReadinessChecks(String service, Pool pool, RedisAPI redis, DockerEngine docker) {
    this.service = service;
    this.pool = pool;
    this.redis = redis;
    this.docker = docker;
  }

  public Handler<RoutingContext> liveness() {
    return ctx -> ctx.json(new JsonObject().put("status", "ok").put("service", service));
  }

  public Handler<RoutingContext> readiness() {
    return ctx -> check().onComplete(result -> {
      JsonObject report = result.result();
      ctx.response().setStatusCode("unavailable".equals(report.getString("status")) ? 503 : 200);
      ctx.json(report);
    });
  }

  /** Never fails: each dependency's failure is part of the report. */
  public Future<JsonObject> check() {
    Future<JsonObject> database = report(pool.query("SELECT 1").execute().mapEmpty());
    Future<JsonObject> cache = report(redis.ping(List.of()).mapEmpty());
    Future<JsonObject> engine = docker.probe().map(DockerEngine.EngineStatus::toJson);
    return Future.join(database, cache, engine).transform(done -> {
      JsonObject checks = new JsonObject()
          .put("database", database.result())
          .put("redis", cache.result())
          .put("docker", engine.result());
      boolean required = isUp(database.result()) && isUp(cache.result());
      String status = !required ? "unavailable" : isUp(engine.result()) ? "ready" : "degraded";
      return Future.succeededFuture(new JsonObject().put("status", status).put("service", service).put("checks", checks));
    });
  }

  private static boolean isUp(JsonObject check) {
    return "up".equals(check.getString("status"));
  }

  private static Future<JsonObject> report(Future<Void> probe) {
    return probe.timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(ok -> new JsonObject().put("status", "up"))
        .otherwise(err -> new JsonObject().put("status", "down").put("message", String.valueOf(err.getMessage())));
  }
}
