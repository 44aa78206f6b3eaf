package io.skypanel.edge.proxy;

import io.skypanel.edge.health.EndpointHealth;
import io.skypanel.edge.routing.Route;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.SocketAddress;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import io.vertx.httpproxy.OriginRequestProvider;
import io.vertx.httpproxy.ProxyContext;

/**
 * Picks the upstream for a request: the route's next healthy endpoint, and on a connection failure the next one it
 * has not tried, up to one try per endpoint. A refused connection means the task is stopping or gone (rolling update,
 * scale-down, crash) and the edge heard before the route did; nothing has been sent yet, so trying another
 * endpoint is always safe, whatever the method. The failed endpoint is skipped for a few seconds.
 * The route's timeout (or the edge's default) bounds how long the application may stay silent.
 */
public final class EndpointSelector implements OriginRequestProvider {

  private static final long DOWN_MILLIS = 5000;
  /** Context key: the endpoint ({@link SocketAddress}) the request went to last. */
  public static final String ENDPOINT = "skypanel.endpoint";
  /** Context key: the endpoint ({@link SocketAddress}) that accepted the request's connection, once one did. */
  public static final String CONNECTED = "skypanel.connected";
  private static final String TRIED = "skypanel.tried";

  private final EndpointHealth health;
  private final Supplier<ProxyOptions> gateway;
  private final long defaultTimeoutMs;
  private final Runnable onRetry;

  /** Without an edge gateway: every endpoint is dialled directly. */
  public EndpointSelector(EndpointHealth health, long defaultTimeoutMs, Runnable onRetry) {
    this(health, defaultTimeoutMs, onRetry, () -> null);
  }

  /**
   * @param onRetry told each time a request goes to another endpoint
   * @param gateway the edge gateway's relay for routes whose endpoints are overlay addresses (null while it is down)
   */
  public EndpointSelector(EndpointHealth health, long defaultTimeoutMs, Runnable onRetry, Supplier<ProxyOptions> gateway) {
    this.gateway = gateway;
    this.health = health;
    this.defaultTimeoutMs = defaultTimeoutMs;
    this.onRetry = onRetry;
  }

  /**
   * {@code endpoint} failed this request (refused it, or closed the connection without answering): it is skipped for
   * a few seconds by every request, and this one never goes back to it while another endpoint is left untried. The
   * set of failed endpoints is made only then, so a request that succeeds first time allocates nothing for it.
   */
  @SuppressWarnings("unchecked")
  static void failedBy(ProxyContext context, SocketAddress endpoint, EndpointHealth health) {
    health.refused(endpoint, DOWN_MILLIS);
    Set<SocketAddress> tried = context.get(TRIED, Set.class);
    if (tried == null) {
      tried = new HashSet<>();
      context.set(TRIED, tried);
    }
    tried.add(endpoint);
  }

  @SuppressWarnings("unchecked")
  private static Set<SocketAddress> tried(ProxyContext context) {
    Set<SocketAddress> tried = context.get(TRIED, Set.class);
    return tried == null ? Set.of() : tried;
  }

  @Override
  public Future<HttpClientRequest> create(ProxyContext context) {
    Route route = context.get(RouteInterceptor.ROUTE, Route.class);
    if (route == null || route.endpoints().isEmpty()) {
      return Future.failedFuture("no endpoint");
    }
    return attempt(context, route, route.endpoints().size());
  }

  private Future<HttpClientRequest> attempt(ProxyContext context, Route route, int remaining) {
    SocketAddress endpoint = route.nextEndpoint(health, tried(context));
    context.set(ENDPOINT, endpoint);
    RequestOptions options = new RequestOptions().setServer(endpoint);
    if (route.viaGateway()) {
      ProxyOptions relay = gateway.get();
      if (relay == null) {
        return Future.failedFuture("the edge gateway is unavailable");
      }
      options.setProxyOptions(relay);
    }
    if (context.isWebSocket()) {
      // vertx-http-proxy copies every header of an upgrade except Host: name the original one here
      HostAndPort authority = context.request().proxiedRequest().authority();
      if (authority != null) {
        options.setHost(authority.host()).setPort(authority.port() > 0 ? authority.port() : 80);
      }
    } else {
      long timeout = route.policy().timeoutMs() > 0 ? route.policy().timeoutMs() : defaultTimeoutMs;
      options.setIdleTimeout(timeout);
    }
    return context.client().request(options).onSuccess(request -> context.set(CONNECTED, endpoint)).recover(err -> {
      failedBy(context, endpoint, health);
      if (remaining <= 1) {
        return Future.failedFuture(err);
      }
      onRetry.run();
      return attempt(context, route, remaining - 1);
    });
  }
}
