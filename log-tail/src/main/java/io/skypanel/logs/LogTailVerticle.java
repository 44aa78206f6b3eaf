package io.skypanel.logs;

import io.skypanel.common.tenancy.Memberships;
import io.skypanel.common.Platform;
import io.skypanel.common.ServiceVerticle;
import io.skypanel.common.redis.RedisConnector;
import io.skypanel.common.web.ServiceListener;
import io.skypanel.common.web.ServiceRouters;
import io.skypanel.logs.access.LogAccess;
import io.skypanel.logs.access.TargetRepository;
import io.skypanel.logs.docker.DockerLogBackend;
import io.skypanel.logs.builds.BuildLogService;
import io.skypanel.logs.builds.BuildRows;
import io.skypanel.logs.http.BuildLogsRoutes;
import io.skypanel.logs.http.LogsRoutes;
import io.skypanel.logs.loki.LokiBackend;
import io.skypanel.logs.stream.LogBackend;
import io.skypanel.logs.stream.LogHub;
import io.skypanel.logs.stream.LogStreamService;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The log service's listener: live and past logs of containers, PaaS environments, add-ons and source builds, org-scoped, as
 * Server-Sent Events or WebSocket. Lines come from Grafana Loki when {@code SKYPANEL_LOKI_URL} is set, else
 * from the Docker engine. One verticle instance: the hub that shares upstreams between viewers lives on its
 * event loop.
 */
public final class LogTailVerticle extends ServiceVerticle {

  public static final String NAME = "log-tail";
  /** A new upstream starts this far back, overlapping the first viewer's backfill so the seam has no gap. */
  private static final long START_SLACK_NANOS = 2_000_000_000L;
  /** Build log lines read from Redis at once: bounds what one read puts in a viewer's write queue. */
  private static final int BUILD_LOG_BATCH = 500;
  private static final Logger LOG = LoggerFactory.getLogger(LogTailVerticle.class);

  private final Platform platform;
  private HttpServer server;
  private LogBackend backend;
  private LogStreamService streams;
  private long keepAliveTimer = -1;
  private Redis buildLogRedis;

  public LogTailVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public String serviceName() {
    return NAME;
  }

  @Override
  public Future<?> start() {
    LogsOptions options;
    try {
      options = LogsOptions.from(platform.settings());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    backend = options.lokiUrl() != null
        ? new LokiBackend(vertx, options)
        : new DockerLogBackend(vertx, platform.docker(), options);
    LOG.info("log-tail serves logs from {}", options.lokiUrl() != null ? "Loki at " + options.lokiUrl() : "the Docker engine");
    LogHub hub = new LogHub(backend, context, options.recentLines(), START_SLACK_NANOS);
    streams = new LogStreamService(backend, hub, options.viewerBuffer(), options.maxLimit());
    LogAccess access = new LogAccess(platform.authenticator(), new Memberships(platform.pool()), new TargetRepository(platform.pool()));
    Router router = ServiceRouters.withHealth(platform, NAME);
    new LogsRoutes(access, streams, options).mount(router);
    // build logs: their own Redis connections, since each live viewer holds one for its blocking reads
    buildLogRedis = RedisConnector.client(vertx, platform.settings().optional("REDIS_URL"), options.buildViewers(), 0);
    new BuildLogsRoutes(access, new BuildLogService(buildLogRedis, platform.redisPrefix(), new BuildRows(platform.pool()),
        options.keepAliveMs(), BUILD_LOG_BATCH)).mount(router);
    keepAliveTimer = vertx.setPeriodic(options.keepAliveMs(), id -> hub.keepAlive());
    return ServiceListener.listen(vertx, platform.settings(), "SKYPANEL_LOGS_PORT", 8082, ServiceRouters.seal(router))
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    if (keepAliveTimer >= 0) {
      vertx.cancelTimer(keepAliveTimer);
    }
    if (backend != null) {
      backend.close();
    }
    if (buildLogRedis != null) {
      buildLogRedis.close();
    }
    return Future.succeededFuture();
  }

  /** The hub, for tests and metrics: open upstreams and viewers. Read it on {@link #hubContext()} only. */
  public LogHub hub() {
    return streams.hub();
  }

  /** The context the hub is confined to. */
  public Context hubContext() {
    return context;
  }

  @Override
  public List<String> endpoints() {
    return List.of("http://" + platform.settings().string("SKYPANEL_PUBLIC_HOST", "127.0.0.1") + ":" + server.actualPort());
  }
}
