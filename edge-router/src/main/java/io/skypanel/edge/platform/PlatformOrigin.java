package io.skypanel.edge.platform;

import io.skypanel.edge.health.EndpointHealth;
import io.skypanel.edge.proxy.EndpointSelector;
import io.skypanel.edge.proxy.RouteInterceptor;
import io.skypanel.edge.routing.Route;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.OriginRequestProvider;
import io.vertx.httpproxy.ProxyContext;

/**
 * Dials the platform's own services for {@link Route#platform} routes, directly and with a client of their own whose
 * connections have no idle limit (a console, a one-off command or a log stream may be quiet for long; the services
 * end them by their own limits). A route's {@code timeoutMs} bounds the wait for an answer (0: none). A refused
 * connection is tried on the service's next address, like tenant endpoints. Every other request goes to
 * {@code tenants}, untouched.
 */
public final class PlatformOrigin implements OriginRequestProvider {

  private static final long DOWN_MILLIS = 5000;

  private final OriginRequestProvider tenants;
  private final HttpClient client;
  private final EndpointHealth health;

  public PlatformOrigin(OriginRequestProvider tenants, HttpClient client, EndpointHealth health) {
    this.tenants = tenants;
    this.client = client;
    this.health = health;
  }

  @Override
  public Future<HttpClientRequest> create(ProxyContext context) {
    Route route = context.get(RouteInterceptor.ROUTE, Route.class);
    if (route == null || route.tenant()) {
      return tenants.create(context);
    }
    return attempt(context, route, route.endpoints().size());
  }

  private Future<HttpClientRequest> attempt(ProxyContext context, Route route, int remaining) {
    SocketAddress endpoint = route.nextEndpoint(health);
    context.set(EndpointSelector.ENDPOINT, endpoint);
    RequestOptions options = new RequestOptions().setServer(endpoint);
    if (context.isWebSocket()) {
      // vertx-http-proxy copies every header of an upgrade except Host: name the original one here
      HostAndPort authority = context.request().proxiedRequest().authority();
      if (authority != null) {
        options.setHost(authority.host()).setPort(authority.port() > 0 ? authority.port() : 80);
      }
    } else if (route.policy().timeoutMs() > 0) {
      options.setIdleTimeout(route.policy().timeoutMs());
    }
    return client.request(options).recover(err -> {
      health.refused(endpoint, DOWN_MILLIS);
      return remaining <= 1 ? Future.failedFuture(err) : attempt(context, route, remaining - 1);
    });
  }
}
