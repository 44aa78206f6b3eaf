package io.skypanel.edge.proxy;

import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * First in the chain: finds the route for the request's Host. An unknown hostname is answered here with 404
 * and never reaches any upstream (so one organization's hostname can never fall through to another's
 * service); a known one whose container has no running endpoint is 503.
 */
public final class RouteInterceptor implements ProxyInterceptor {

  /** Key of the {@link Route} in the proxy context, read by the origin selector. */
  public static final String ROUTE = "skypanel.route";

  private final RouteTable table;

  public RouteInterceptor(RouteTable table) {
    this.table = table;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    String host = context.request().proxiedRequest().authority() == null ? null : context.request().proxiedRequest().authority().host();
    Route route = table.lookup(host);
    if (route == null) {
      return Future.succeededFuture(page(context, 404, "no application is configured for this hostname"));
    }
    if (route.endpoints().isEmpty()) {
      return Future.succeededFuture(page(context, 503, "the application has no running instance right now"));
    }
    context.set(ROUTE, route);
    return context.sendRequest();
  }

  static ProxyResponse page(ProxyContext context, int status, String message) {
    ProxyResponse response = context.request().release().response();
    return response.setStatusCode(status)
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .setBody(Body.body(Buffer.buffer(status + " " + message + "\n")));
  }
}
