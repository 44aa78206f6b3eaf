package io.skypanel.edge;

import io.skypanel.common.Platform;
import io.skypanel.common.ServiceVerticle;
import io.skypanel.common.gateway.EdgeGateway;
import io.skypanel.common.gateway.GatewayImage;
import io.skypanel.edge.acme.AcmeService;
import io.skypanel.edge.gateway.GatewayLink;
import io.skypanel.edge.health.ReachabilityReporter;
import io.skypanel.edge.health.ActiveHealthChecker;
import io.skypanel.edge.health.EndpointHealth;
import io.skypanel.edge.limits.OrganizationConnections;
import io.skypanel.edge.limits.RedisTokenBuckets;
import io.skypanel.edge.observability.EdgeMetrics;
import io.skypanel.edge.platform.ApiOptions;
import io.skypanel.edge.platform.ApiRoutes;
import io.skypanel.edge.proxy.EdgeProxy;
import io.skypanel.edge.routing.RouteRepository;
import io.skypanel.edge.routing.RouteSync;
import io.skypanel.edge.routing.RouteTable;
import io.skypanel.edge.tls.EdgeTls;
import io.skypanel.edge.usage.UsageMeter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;

import io.vertx.core.net.ProxyOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The platform's front door for every app and container hostname. This verticle owns what the whole process
 * shares (the {@link RouteTable} that {@link RouteSync} keeps equal to PostgreSQL, endpoint health and its
 * active checker, usage metering, per-organization connection counts, the certificates of {@link EdgeTls} and
 * the ACME {@link AcmeService}, the platform's API hostname as {@link ApiRoutes} from the OpenAPI document) and
 * deploys one {@link EdgeListenerVerticle} per event loop to accept and proxy connections.
 */
public final class EdgeRouterVerticle extends ServiceVerticle {

  private static final Logger LOG = LoggerFactory.getLogger(EdgeRouterVerticle.class);

  public static final String NAME = "edge-router";

  private final Platform platform;
  private final RouteTable routes = new RouteTable();
  private RouteSync routeSync;
  private ActiveHealthChecker healthChecker;
  private GatewayLink gateway;
  private UsageMeter usage;
  private EdgeTls edgeTls;
  private AcmeService acme;
  private long usageTimer = -1;
  private volatile int[] ports;

  public EdgeRouterVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public String serviceName() {
    return NAME;
  }

  @Override
  public Future<?> start() {
    EdgeOptions options = EdgeOptions.from(platform.settings());
    EdgeMetrics metrics = new EdgeMetrics(platform.metrics().registry(), routes);
    EndpointHealth health = new EndpointHealth(options.healthFailuresToDown());
    usage = new UsageMeter(platform.pool());
    routeSync = new RouteSync(vertx, platform.pool(), platform.events(), routes,
        new RouteRepository(platform.settings().string("SKYPANEL_CAAS_DEFAULT_PLAN", "hobby"), options.freeRate(), options.freeMaxConnections()), metrics::routesReloaded);
    edgeTls = new EdgeTls(vertx, platform);
    acme = new AcmeService(vertx, platform);
    gateway = options.gatewayEnabled()
        ? new GatewayLink(vertx, new EdgeGateway(vertx, platform.docker(), () -> new GatewayImage(platform.docker(), options.gatewayBaseImage()).ensure().map(GatewayImage.Ensured::tag),
            options.gatewayName(), Map.of()), platform.events())
        : null;
    Supplier<ProxyOptions> relay = gateway == null ? () -> null : gateway::proxyOptions;
    Future<ApiRoutes> api = ApiRoutes.load(vertx, operations -> ApiOptions.from(platform.settings(), operations.services(), options.upstreamTimeoutMs()));
    // routes and certificates first: a listener must never answer from an empty table while the real one is loading
    return api.compose(v -> gateway == null ? Future.<Void>succeededFuture() : gateway.start(options.resyncMs()))
        .compose(v -> routeSync.start(options.resyncMs()))
        .compose(v -> edgeTls.start())
        .compose(v -> {
          EdgeProxy.Shared shared = new EdgeProxy.Shared(options, routes, metrics, health, new OrganizationConnections(), usage,
              new RedisTokenBuckets(platform.redisApi(), platform.redisPrefix()), api.result().httpsReady(edgeTls::hasCertificate), api.result(), relay);
          return vertx.deployVerticle(() -> new EdgeListenerVerticle(shared, edgeTls::secure, acme::challenges, actual -> ports = actual),
              new DeploymentOptions().setInstances(options.eventLoops()));
        })
        .compose(v -> acme.start())
        .onSuccess(v -> {
          if (options.healthIntervalMs() > 0) {
            healthChecker = new ActiveHealthChecker(vertx, routes, health, platform.metrics().registry(), options.healthTimeoutMs(), relay,
                new ReachabilityReporter(platform.redisApi(), platform.redisPrefix(), UUID.randomUUID().toString(), options.healthIntervalMs()));
            healthChecker.start(options.healthIntervalMs());
          }
          usageTimer = usage.schedule(vertx, options.usageFlushMs());
        });
  }

  @Override
  public Future<?> stop() {
    if (routeSync != null) {
      routeSync.stop();
    }
    if (healthChecker != null) {
      healthChecker.stop();
    }
    if (gateway != null) {
      gateway.stop();
    }
    if (usageTimer >= 0) {
      vertx.cancelTimer(usageTimer);
    }
    // what was metered since the last flush is written before the pool closes
    return Future.join(usage == null ? Future.succeededFuture() : usage.flush().recover(err -> {
          // stopping goes on: the usage not written is lost, which is said here with why
          LOG.warn("could not write the last usage counts before stopping: {}", err.getMessage(), err);
          return Future.succeededFuture();
        }),
        edgeTls == null ? Future.succeededFuture() : edgeTls.stop(),
        acme == null ? Future.succeededFuture() : acme.stop());
  }

  @Override
  public List<String> endpoints() {
    String host = platform.settings().string("SKYPANEL_PUBLIC_HOST", "127.0.0.1");
    return List.of("http://" + host + ":" + ports[0], "https://" + host + ":" + ports[1]);
  }
}
