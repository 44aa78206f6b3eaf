package io.skypanel.launcher;

import io.skypanel.common.Platform;
import io.skypanel.common.PlatformBootstrap;
import io.skypanel.common.ServiceVerticle;
import io.skypanel.common.config.PlatformConfig;
import io.skypanel.common.config.Settings;
import io.skypanel.common.db.DatabaseOptions;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.metrics.Metrics;
import io.skypanel.controlplane.ControlPlaneVerticle;
import io.skypanel.edge.EdgeRouterVerticle;
import io.skypanel.edge.platform.ApiOptions;
import io.skypanel.exec.ExecProxyVerticle;
import io.skypanel.logs.LogTailVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Starts a SkyPanel process: settings, the embedded PostgreSQL and local Redis when no URL is configured,
 * Vert.x with metrics, the shared {@link Platform}, then the services named in {@code SKYPANEL_SERVICES}
 * (control plane first, as it owns the schema; the edge router last, told where its siblings listen, since it is
 * their public origin). Used by {@link Main} and by tests.
 */
public final class Launcher {

  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  /** Every service this launcher can run, by its {@code SKYPANEL_SERVICES} name, in deployment order. */
  public static final Map<String, Function<Platform, ServiceVerticle>> SERVICES;

  static {
    Map<String, Function<Platform, ServiceVerticle>> services = new LinkedHashMap<>();
    services.put(ControlPlaneVerticle.NAME, ControlPlaneVerticle::new);
    services.put(EdgeRouterVerticle.NAME, EdgeRouterVerticle::new);
    services.put(ExecProxyVerticle.NAME, ExecProxyVerticle::new);
    services.put(LogTailVerticle.NAME, LogTailVerticle::new);
    SERVICES = Collections.unmodifiableMap(services);
  }

  private Launcher() {
  }

  /** Starts with the configured settings only. */
  public static Future<RunningPlatform> start() {
    return start(new JsonObject());
  }

  /**
   * Starts a platform; {@code overrides} win over every other configuration source (an empty string means
   * "unset", e.g. {@code DATABASE_URL=""} forces the embedded PostgreSQL). On failure everything already
   * started is stopped again before the returned future fails.
   */
  public static Future<RunningPlatform> start(JsonObject overrides) {
    Metrics metrics = new Metrics();
    // the native transport (epoll) when it is on the class path and the OS has it; NIO otherwise
    Vertx vertx = Vertx.builder().with(metrics.vertxOptions().setPreferNativeTransport(true)).withMetrics(metrics.factory()).build();
    LOG.info("network transport: {}", vertx.isNativeTransportEnabled() ? "native (epoll)" : "NIO");
    return new Startup(vertx, metrics).run(overrides == null ? new JsonObject() : overrides);
  }

  /** The service names in {@code SKYPANEL_SERVICES}, validated and in deployment order. */
  static List<String> services(Settings settings) {
    List<String> configured = settings.list("SKYPANEL_SERVICES", List.copyOf(SERVICES.keySet()));
    Set<String> unknown = new LinkedHashSet<>(configured);
    unknown.removeAll(SERVICES.keySet());
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown service" + (unknown.size() > 1 ? "s " : " ") + unknown.stream().map(name -> "'" + name + "'").collect(Collectors.joining(", "))
          + " in SKYPANEL_SERVICES; known services: " + String.join(", ", SERVICES.keySet()));
    }
    if (configured.isEmpty()) {
      throw new IllegalArgumentException("SKYPANEL_SERVICES names no service; known services: " + String.join(", ", SERVICES.keySet()));
    }
    return SERVICES.keySet().stream().filter(configured::contains).toList();
  }

  /** One start attempt and, later, its shutdown; remembers everything it started so it can stop it again. */
  private static final class Startup {

    private final Vertx vertx;
    private final Metrics metrics;
    private final List<Deployment> deployments = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<Future<Void>> stopped = new AtomicReference<>();
    private volatile Settings settings;
    private volatile Path dataDirectory;
    private volatile List<String> names;
    private volatile EmbeddedDatabase database;
    private volatile LocalRedis redis;
    private volatile Platform platform;
    private volatile boolean up;

    Startup(Vertx vertx, Metrics metrics) {
      this.vertx = vertx;
      this.metrics = metrics;
    }

    Future<RunningPlatform> run(JsonObject overrides) {
      Promise<RunningPlatform> result = Promise.promise();
      PlatformConfig.load(vertx, overrides)
          .compose(this::configure)
          .compose(ok -> startLocalServers())
          .compose(ok -> {
            boolean migrate = names.contains(ControlPlaneVerticle.NAME) && settings.bool("SKYPANEL_MIGRATE", true);
            return PlatformBootstrap.start(vertx, settings, metrics, migrate);
          })
          .compose(started -> {
            platform = started;
            return deployServices();
          })
          .map(ok -> running())
          .onComplete(outcome -> {
            if (outcome.succeeded()) {
              up = true;
              LOG.info(banner(outcome.result()));
              result.complete(outcome.result());
            } else {
              Throwable cause = outcome.cause();
              stop().onComplete(done -> result.fail(cause));
            }
          });
      return result.future();
    }

    private Future<Void> configure(Settings loaded) {
      try {
        names = services(loaded);
        dataDirectory = Path.of(loaded.string("SKYPANEL_DATA_DIR", "./data")).toAbsolutePath().normalize();
        settings = loaded.with("SKYPANEL_DATA_DIR", dataDirectory.toString());
        return Future.succeededFuture();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }

    /** Process starts block for a second or more, so they run on worker threads, side by side. */
    private Future<Void> startLocalServers() {
      Future<EmbeddedDatabase> postgres = settings.optional("DATABASE_URL") != null ? Future.succeededFuture()
          : vertx.executeBlocking(() -> EmbeddedDatabase.start(dataDirectory.resolve("postgres")), false)
              .onSuccess(started -> database = started);
      Future<LocalRedis> cache = settings.optional("REDIS_URL") != null ? Future.succeededFuture()
          : vertx.executeBlocking(() -> LocalRedis.start(dataDirectory.resolve("redis")), false)
              .onSuccess(started -> redis = started);
      return Future.join(postgres, cache).map(ok -> {
        if (database != null) {
          settings = settings.with("DATABASE_URL", database.url());
        }
        if (redis != null) {
          settings = settings.with("REDIS_URL", redis.url());
        }
        return null;
      });
    }

    private Future<Void> deployServices() {
      List<String> others = names.stream()
          .filter(name -> !name.equals(ControlPlaneVerticle.NAME) && !name.equals(EdgeRouterVerticle.NAME)).toList();
      Future<Void> first = names.contains(ControlPlaneVerticle.NAME) ? deploy(ControlPlaneVerticle.NAME, platform) : Future.succeededFuture();
      return first.compose(ok -> Future.all(others.stream().map(name -> deploy(name, platform)).toList()))
          .compose(ok -> names.contains(EdgeRouterVerticle.NAME)
              ? deploy(EdgeRouterVerticle.NAME, platform.withSettings(withLocalUpstreams(platform.settings())))
              : Future.succeededFuture())
          .mapEmpty();
    }

    /**
     * The edge's view of the settings: each service running here is the API hostname's upstream for its paths, at the
     * port it actually bound (a port setting of 0 picks a free one), unless an upstream is configured explicitly.
     */
    private Settings withLocalUpstreams(Settings base) {
      Settings result = base;
      List<Deployment> running;
      synchronized (deployments) {
        running = List.copyOf(deployments);
      }
      for (Deployment deployment : running) {
        String key = ApiOptions.upstreamSetting(deployment.verticle().serviceName());
        if (base.optional(key) == null) {
          int port = URI.create(deployment.verticle().endpoints().get(0)).getPort();
          result = result.with(key, ApiOptions.localHost(base) + ":" + port);
        }
      }
      return result;
    }

    private Future<Void> deploy(String name, Platform platform) {
      ServiceVerticle verticle = SERVICES.get(name).apply(platform);
      return vertx.deployVerticle(verticle)
          .onSuccess(id -> deployments.add(new Deployment(verticle, id)))
          .<Void>mapEmpty()
          .recover(err -> Future.failedFuture(new IllegalStateException(name + " did not start: " + err.getMessage(), err)));
    }

    private RunningPlatform running() {
      List<ServiceVerticle> ordered = new ArrayList<>();
      for (String name : names) {
        synchronized (deployments) {
          deployments.stream().filter(d -> d.verticle().serviceName().equals(name)).findFirst()
              .ifPresent(d -> ordered.add(d.verticle()));
        }
      }
      return new RunningPlatform(vertx, platform, dataDirectory, ordered, database, redis, this::stop);
    }

    /**
     * Stops in reverse: services (control plane last), the platform's connections, Vert.x, then the Redis
     * and PostgreSQL processes on a plain thread. Each step runs even if an earlier one failed.
     */
    Future<Void> stop() {
      Promise<Void> done = Promise.promise();
      if (!stopped.compareAndSet(null, done.future())) {
        return stopped.get();
      }
      boolean wasUp = up;
      undeploy()
          .transform(ok -> platform == null ? Future.<Void>succeededFuture() : platform.close())
          .onComplete(ok -> {
            if (ok.failed()) {
              LOG.warn("closing the platform's connections failed: {}", ok.cause().getMessage());
            }
            vertx.close().onComplete(closed -> {
              if (closed.failed()) {
                LOG.warn("closing Vert.x failed: {}", closed.cause().getMessage());
              }
              Thread stopper = new Thread(() -> {
                if (redis != null) {
                  redis.close();
                }
                if (database != null) {
                  database.close();
                }
                if (wasUp) {
                  LOG.info("SkyPanel stopped");
                }
                done.complete();
              }, "skypanel-stop");
              stopper.start();
            });
          });
      return done.future();
    }

    private Future<Void> undeploy() {
      List<Deployment> all;
      synchronized (deployments) {
        all = List.copyOf(deployments);
      }
      List<Future<Void>> others = all.stream()
          .filter(d -> !d.verticle().serviceName().equals(ControlPlaneVerticle.NAME))
          .map(this::undeploy).toList();
      return Future.join(others).transform(ok -> Future.join(all.stream()
              .filter(d -> d.verticle().serviceName().equals(ControlPlaneVerticle.NAME))
              .map(this::undeploy).toList()))
          .mapEmpty();
    }

    private Future<Void> undeploy(Deployment deployment) {
      return vertx.undeploy(deployment.id())
          .onFailure(err -> LOG.warn("undeploying {} failed: {}", deployment.verticle().serviceName(), err.getMessage()));
    }

    private static String banner(RunningPlatform running) {
      StringBuilder text = new StringBuilder("SkyPanel is up (data in ").append(running.dataDirectory()).append(")");
      running.endpoints().forEach((service, urls) -> line(text, service, String.join("  ", urls)));
      Settings settings = running.settings();
      line(text, "database", running.embeddedDatabase()
          .map(db -> "embedded PostgreSQL on 127.0.0.1:" + db.port() + ", cluster in " + db.dataDirectory())
          .orElseGet(() -> DatabaseOptions.parse(settings.optional("DATABASE_URL"), 1).toString()));
      line(text, "redis", running.localRedis()
          .map(r -> r.kind() + " on 127.0.0.1:" + r.port())
          .orElseGet(() -> withoutCredentials(settings.optional("REDIS_URL"))));
      DockerEngine.EngineStatus docker = running.platform().docker().status();
      line(text, "orchestration", docker.available()
          ? "available: Docker " + docker.version() + " (API " + docker.apiVersion() + "), swarm " + docker.swarm()
          : "unavailable: " + docker.message());
      return text.toString();
    }

    private static void line(StringBuilder text, String label, String value) {
      text.append(System.lineSeparator()).append(String.format("  %-14s %s", label, value));
    }

    private static String withoutCredentials(String url) {
      try {
        URI uri = URI.create(url);
        if (uri.getRawUserInfo() == null) {
          return url;
        }
        return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
      } catch (Exception e) {
        return "(configured)";
      }
    }
  }

  private record Deployment(ServiceVerticle verticle, String id) {
  }
}
