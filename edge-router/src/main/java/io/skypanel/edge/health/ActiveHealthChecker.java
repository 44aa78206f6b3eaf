package io.skypanel.edge.health;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.SocketAddress;

import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Probes every routed endpoint periodically and tells {@link EndpointHealth}: an HTTP GET of the route's
 * health check path (any answer below 500 is healthy) or, without a path, a TCP connect. A task that hangs
 * or crashes is taken out of rotation within a few periods even when no request has hit it, and put back by
 * its first good probe. Publishes {@code skypanel_edge_endpoint_up{service,endpoint}} (1 up, 0 down).
 */
public final class ActiveHealthChecker {

  private static final Logger LOG = LoggerFactory.getLogger(ActiveHealthChecker.class);

  private final Vertx vertx;
  private final RouteTable routes;
  private final EndpointHealth health;
  private final HttpClient http;
  private final NetClient tcp;
  private final int timeoutMs;
  private final Supplier<ProxyOptions> gateway;
  private final Consumer<Map<UUID, Reachability>> reachable;
  private final MultiGauge endpointUp;
  private long timer = -1;
  private boolean running;

  public ActiveHealthChecker(Vertx vertx, RouteTable routes, EndpointHealth health, MeterRegistry registry, int timeoutMs) {
    this(vertx, routes, health, registry, timeoutMs, () -> null, reach -> { });
  }

  /**
   * @param gateway   the edge gateway's relay for overlay endpoints (null while it is down)
   * @param reachable told after every round what each container's endpoints answered
   */
  public ActiveHealthChecker(Vertx vertx, RouteTable routes, EndpointHealth health, MeterRegistry registry, int timeoutMs,
                             Supplier<ProxyOptions> gateway, Consumer<Map<UUID, Reachability>> reachable) {
    this.gateway = gateway;
    this.reachable = reachable;
    this.vertx = vertx;
    this.routes = routes;
    this.health = health;
    this.timeoutMs = timeoutMs;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(timeoutMs).setKeepAlive(false));
    this.tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout(timeoutMs));
    this.endpointUp = MultiGauge.builder("skypanel.edge.endpoint.up")
        .description("1 when the endpoint passes its active health check, 0 when it is held out of rotation")
        .register(registry);
  }

  public void start(long intervalMs) {
    timer = vertx.setPeriodic(intervalMs, intervalMs, id -> round());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    http.close();
    tcp.close();
  }

  /** One probe of every endpoint; a round still running when the next is due is not doubled. */
  public Future<Void> round() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    Map<SocketAddress, Route> targets = new HashMap<>();
    routes.forEach(route -> route.endpoints().forEach(endpoint -> targets.putIfAbsent(endpoint, route)));
    health.retainOnly(targets.keySet());
    List<Future<Void>> probes = new ArrayList<>();
    Map<SocketAddress, String> failures = new java.util.concurrent.ConcurrentHashMap<>();
    targets.forEach((endpoint, route) -> probes.add(probe(endpoint, route)
        .map(failure -> {
          boolean healthy = failure == null;
          if (!healthy) {
            failures.put(endpoint, failure);
          }
          if (health.probed(endpoint, healthy)) {
            LOG.info("endpoint {} of {} is now {}{}", endpoint, route.service(), healthy ? "up" : "down", healthy ? "" : ": " + failure);
          }
          return (Void) null;
        })));
    return Future.join(probes).<Void>mapEmpty().eventually(() -> {
      running = false;
      reachable.accept(Reachability.of(routes, health, failures));
      List<MultiGauge.Row<?>> rows = new ArrayList<>();
      targets.forEach((endpoint, route) -> rows.add(MultiGauge.Row.of(
          Tags.of("service", route.service(), "endpoint", endpoint.toString()), health.isUp(endpoint) ? 1 : 0)));
      endpointUp.register(rows, true);
      return Future.succeededFuture();
    });
  }

  /** Probes one endpoint; completes with null when it is healthy, else with why it is not. */
  private Future<String> probe(SocketAddress endpoint, Route route) {
    String path = route.policy().healthCheckPath();
    ProxyOptions relay = null;
    if (route.viaGateway()) {
      relay = gateway.get();
      if (relay == null) {
        return Future.succeededFuture("the edge gateway is unavailable");
      }
    }
    if (path == null) {
      return tcp.connect(new ConnectOptions().setRemoteAddress(endpoint).setProxyOptions(relay).setTimeout(timeoutMs))
          .compose(socket -> socket.close().map((String) null))
          .otherwise(err -> "no connection to " + endpoint + ": " + message(err));
    }
    return http.request(new RequestOptions().setServer(endpoint).setMethod(HttpMethod.GET).setURI(path).setProxyOptions(relay)
            .setHost(endpoint.host()).setPort(endpoint.port()).setTimeout(timeoutMs))
        .compose(request -> request.send().compose(response -> response.body().map(body -> response.statusCode() < 500
            ? null : "GET " + path + " answered " + response.statusCode())))
        .otherwise(err -> "GET " + path + " on " + endpoint + " failed: " + message(err));
  }

  private static String message(Throwable err) {
    return err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
  }
}
