package io.skypanel.edge.proxy;

import io.skypanel.edge.limits.OrganizationConnections;
import io.skypanel.edge.limits.RateLimiter;
import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RoutePolicy;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Per-organization protection: the organization's open connections on this replica (its plan's maximum), then
 * its request rate and the route's own rate (token buckets shared by all replicas through Redis). Over a rate
 * limit is 429 with Retry-After; over the connection limit is 503 and the connection is closed after the answer.
 * Platform routes (the API hostname) have no organization and are not limited here.
 */
public final class LimitsInterceptor implements ProxyInterceptor {

  private final OrganizationConnections connections;
  private final RateLimiter limiter;

  /** @param limiter null turns rate limiting off */
  public LimitsInterceptor(OrganizationConnections connections, RateLimiter limiter) {
    this.connections = connections;
    this.limiter = limiter;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    Route route = context.get(RouteInterceptor.ROUTE, Route.class);
    if (!route.tenant()) {
      return context.sendRequest(); // the platform's own services throttle their callers themselves
    }
    RoutePolicy policy = route.policy();
    HttpServerRequest incoming = context.request().proxiedRequest();
    if (incoming.connection() != null
        && !connections.admit(incoming.connection(), route.organizationId(), policy.organizationMaxConnections())) {
      context.set(HopByHopHeadersInterceptor.CLOSE_CONNECTION, true);
      return Future.succeededFuture(ErrorPages.page(context, 503, "Too many open connections for this organization."));
    }
    if (limiter == null) {
      return context.sendRequest();
    }
    Future<Boolean> organization = policy.organizationRate() == null
        ? Future.succeededFuture(true)
        : limiter.acquire("org:" + route.organizationId(), policy.organizationRate());
    return organization.compose(allowed -> allowed && policy.routeRate() != null
            ? limiter.acquire("route:" + route.containerId(), policy.routeRate())
            : Future.succeededFuture(allowed))
        .compose(allowed -> allowed
            ? context.sendRequest()
            : Future.succeededFuture(ErrorPages.page(context, 429, "Too many requests. Please slow down.")
                .putHeader("Retry-After", "1")));
  }
}
