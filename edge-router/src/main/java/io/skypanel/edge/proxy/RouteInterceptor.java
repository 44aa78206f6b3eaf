package io.skypanel.edge.proxy;

import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Finds the route for the request's Host and path. An unknown hostname is answered here with 404 and never
 * reaches any upstream (so one organization's hostname can never fall through to another's service); a route
 * in maintenance mode, or whose container has no running endpoint, is 503.
 */
public final class RouteInterceptor implements ProxyInterceptor {

  /** Key of the {@link Route} in the proxy context, read by the later interceptors and the origin selector. */
  public static final String ROUTE = "skypanel.route";

  private final RouteTable table;

  public RouteInterceptor(RouteTable table) {
    this.table = table;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    if (context.get(ROUTE, Route.class) != null) {
      return context.sendRequest(); // routed already: the platform's API hostname
    }
    HttpServerRequest incoming = context.request().proxiedRequest();
    Route route = table.lookup(incoming.authority() == null ? null : incoming.authority().host(), incoming.path());
    if (route == null) {
      return Future.succeededFuture(ErrorPages.page(context, 404, "No application is configured for this hostname."));
    }
    if (route.policy().maintenance()) {
      return Future.succeededFuture(ErrorPages.page(context, 503, "The application is down for maintenance. Please try again later.")
          .putHeader("Retry-After", "60"));
    }
    if (route.endpoints().isEmpty()) {
      return Future.succeededFuture(ErrorPages.page(context, 503, "The application has no running instance right now."));
    }
    context.set(ROUTE, route);
    return context.sendRequest();
  }
}
