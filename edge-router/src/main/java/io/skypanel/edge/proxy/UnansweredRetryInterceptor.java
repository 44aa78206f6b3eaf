package io.skypanel.edge.proxy;

import io.skypanel.edge.health.EndpointHealth;
import io.skypanel.edge.routing.Route;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * Sends a request again, to the route's next endpoint, when the endpoint it went to accepted the connection but
 * closed it before answering: a task that crashed or was stopped with the request in flight, or a keep-alive
 * connection the application closed as the request went out. Only requests that are safe to repeat, as nginx's
 * {@code proxy_next_upstream error} does by default: an idempotent method (RFC 9110 §9.2.2) and no body, so the
 * request is whole again without buffering anything. A timeout is not repeated (the application may still be
 * working on it), nor a request whose client has left. Up to one try per endpoint, and one fresh connection when
 * the route has a single endpoint; the endpoint that closed is skipped for a few seconds, as a refusing one is.
 *
 * <p>Last in the chain: repeating goes straight to the origin, with the headers the interceptors before it set.
 */
public final class UnansweredRetryInterceptor implements ProxyInterceptor {

  private static final Logger LOG = LoggerFactory.getLogger(UnansweredRetryInterceptor.class);
  private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
      HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

  private final EndpointHealth health;
  private final Runnable onRetry;

  /** @param onRetry told each time a request is sent again (metrics) */
  public UnansweredRetryInterceptor(EndpointHealth health, Runnable onRetry) {
    this.health = health;
    this.onRetry = onRetry;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    return attempt(context, 1);
  }

  private Future<ProxyResponse> attempt(ProxyContext context, int attempt) {
    context.set(EndpointSelector.CONNECTED, null);
    return context.sendRequest().recover(err -> {
      SocketAddress endpoint = context.get(EndpointSelector.CONNECTED, SocketAddress.class);
      Route route = context.get(RouteInterceptor.ROUTE, Route.class);
      if (endpoint == null || route == null || attempt >= Math.max(2, route.endpoints().size())
          || UpstreamFailureInterceptor.isTimeout(err) || !repeatable(context.request().proxiedRequest())) {
        return Future.failedFuture(err);
      }
      EndpointSelector.failedBy(context, endpoint, health);
      onRetry.run();
      LOG.debug("{} {}{}: {} closed the connection without answering ({}); sending it again", context.request().getMethod(),
          context.request().proxiedRequest().authority(), context.request().getURI(), endpoint, String.valueOf(err));
      // the first try consumed the (empty) body stream: the next one sends none
      context.request().setBody(null);
      return attempt(context, attempt + 1);
    });
  }

  /** An idempotent request received whole, without a body, from a client still waiting for the answer. */
  static boolean repeatable(HttpServerRequest request) {
    if (!IDEMPOTENT.contains(request.method()) || !request.isEnded() || request.response().closed()) {
      return false;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null && (length == null || "0".equals(length.trim()));
  }
}
