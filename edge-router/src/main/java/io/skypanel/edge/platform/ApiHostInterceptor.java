package io.skypanel.edge.platform;

import io.skypanel.edge.proxy.BodyLimitInterceptor;
import io.skypanel.edge.proxy.HopByHopHeadersInterceptor;
import io.skypanel.edge.proxy.RouteInterceptor;
import io.skypanel.edge.routing.Route;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

import java.util.concurrent.TimeoutException;

/**
 * Routes the API hostname's requests before tenant routing ({@link RouteInterceptor} then leaves them alone): the
 * {@link ApiRoutes} route of the path, a JSON 404 for a path outside {@code /api}, and JSON 502/504/413 when the
 * service cannot be reached, does not answer in time or a streamed body grows too large. Requests for other
 * hostnames pass through untouched.
 */
public final class ApiHostInterceptor implements ProxyInterceptor {

  private final ApiRoutes routes;

  public ApiHostInterceptor(ApiRoutes routes) {
    this.routes = routes;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    HttpServerRequest incoming = context.request().proxiedRequest();
    if (!routes.serves(incoming.authority() == null ? null : incoming.authority().host())) {
      return context.sendRequest();
    }
    Route route = routes.route(incoming);
    if (route == null) {
      return Future.succeededFuture(ApiErrors.error(context, 404, "not_found", "Not found: the API is under " + ApiRoutes.PREFIX + "/."));
    }
    context.set(RouteInterceptor.ROUTE, route);
    return context.sendRequest().recover(err -> {
      Long bodyLimit = context.get(BodyLimitInterceptor.TOO_LARGE, Long.class);
      if (bodyLimit != null) {
        context.set(HopByHopHeadersInterceptor.CLOSE_CONNECTION, true);
        return Future.succeededFuture(ApiErrors.error(context, 413, "payload_too_large",
            "The request body is larger than " + bodyLimit + " bytes."));
      }
      return Future.succeededFuture(isTimeout(err)
          ? ApiErrors.error(context, 504, "upstream_timeout", "The " + service(route) + " did not answer in time.")
          : ApiErrors.error(context, 502, "upstream_unavailable", "The " + service(route) + " could not be reached. Please try again."));
    });
  }

  private static String service(Route route) {
    return route.service().substring(route.service().indexOf(':') + 1);
  }

  private static boolean isTimeout(Throwable err) {
    for (Throwable cause = err; cause != null; cause = cause.getCause()) {
      if (cause instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }
}
