package io.skypanel.edge;

import io.skypanel.common.Platform;
import io.skypanel.common.ServiceVerticle;
import io.skypanel.common.config.Settings;
import io.skypanel.edge.acme.AcmeService;
import io.skypanel.edge.observability.EdgeMetrics;
import io.skypanel.edge.proxy.EdgeProxy;
import io.skypanel.edge.routing.RouteSync;
import io.skypanel.edge.routing.RouteTable;
import io.skypanel.edge.tls.EdgeTls;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.util.List;

/**
 * The platform's front door: plain HTTP and HTTPS listeners for every app and container hostname. Requests
 * go through {@link EdgeProxy} to the live endpoints of the hostname's container, found in a {@link RouteTable}
 * that {@link RouteSync} keeps equal to PostgreSQL. HTTPS presents each hostname's certificate by SNI
 * ({@link EdgeTls}); {@link AcmeService} obtains and renews them.
 */
public final class EdgeRouterVerticle extends ServiceVerticle {

  public static final String NAME = "edge-router";

  private final Platform platform;
  private final RouteTable routes = new RouteTable();
  private RouteSync routeSync;
  private EdgeMetrics metrics;
  private Handler<HttpServerRequest> handler;
  private HttpServer plainServer;
  private HttpServer tlsServer;
  private EdgeTls edgeTls;
  private AcmeService acme;

  public EdgeRouterVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public String serviceName() {
    return NAME;
  }

  @Override
  public Future<?> start() {
    Settings settings = platform.settings();
    String host = settings.string("SKYPANEL_BIND_HOST", "0.0.0.0");
    HttpServerOptions plain = new HttpServerOptions().setHost(host).setPort(settings.integer("SKYPANEL_HTTP_PORT", 8000));
    HttpServerOptions tls = new HttpServerOptions().setHost(host).setPort(settings.integer("SKYPANEL_HTTPS_PORT", 8443));
    metrics = new EdgeMetrics(platform.metrics().registry(), routes);
    routeSync = new RouteSync(vertx, platform.pool(), platform.events(), routes, metrics::routesReloaded);
    edgeTls = new EdgeTls(vertx, platform);
    acme = new AcmeService(vertx, platform);
    handler = acme.challenges(EdgeProxy.create(vertx, routes, metrics));
    // routes first: a listener must never answer from an empty table while the real one is loading
    return routeSync.start(settings.longValue("SKYPANEL_EDGE_RESYNC_MS", 30000))
        .compose(v -> edgeTls.start())
        .compose(v -> Future.all(listen(plain).onSuccess(s -> plainServer = s), listen(edgeTls.secure(tls)).onSuccess(s -> tlsServer = s)))
        .compose(v -> acme.start());
  }

  @Override
  public Future<?> stop() {
    if (routeSync != null) {
      routeSync.stop();
    }
    return Future.join(edgeTls == null ? Future.succeededFuture() : edgeTls.stop(), acme == null ? Future.succeededFuture() : acme.stop());
  }

  private Future<HttpServer> listen(HttpServerOptions options) {
    return vertx.createHttpServer(options)
        .connectionHandler(connection -> {
          metrics.connectionOpened();
          connection.closeHandler(closed -> metrics.connectionClosed());
        })
        .requestHandler(handler).listen()
        .recover(err -> Future.failedFuture(new IllegalStateException(
            "edge router cannot listen on " + options.getHost() + ":" + options.getPort() + ": " + err.getMessage(), err)));
  }

  @Override
  public List<String> endpoints() {
    String host = platform.settings().string("SKYPANEL_PUBLIC_HOST", "127.0.0.1");
    return List.of("http://" + host + ":" + plainServer.actualPort(), "https://" + host + ":" + tlsServer.actualPort());
  }
}
