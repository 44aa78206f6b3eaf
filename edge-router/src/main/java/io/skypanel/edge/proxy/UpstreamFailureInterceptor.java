package io.skypanel.edge.proxy;

import io.vertx.core.Future;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeoutException;

/**
 * Turns a failed upstream exchange into the edge's page: 504 when the application did not answer within the
 * route's timeout, 502 when no endpoint accepted the connection or the answer broke off (vertx-http-proxy
 * would send an empty 502 for both), and 413 when the exchange was cut because a streamed body grew too large.
 * Each such page is logged with the endpoint and the cause. An answer whose body breaks off after its head went out
 * cannot be replaced any more: the client's connection is reset (vertx-http-proxy does that) and the edge logs why,
 * with the endpoint, instead of staying silent.
 */
public final class UpstreamFailureInterceptor implements ProxyInterceptor {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamFailureInterceptor.class);

  private final Runnable onBroken;

  /** @param onBroken told each time an answer breaks off after its head went to the client (metrics) */
  public UpstreamFailureInterceptor(Runnable onBroken) {
    this.onBroken = onBroken;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    return context.sendRequest().recover(err -> {
      Long bodyLimit = context.get(BodyLimitInterceptor.TOO_LARGE, Long.class);
      if (bodyLimit != null) {
        context.set(HopByHopHeadersInterceptor.CLOSE_CONNECTION, true);
        return Future.succeededFuture(ErrorPages.page(context, 413,
            "The request body is larger than this application accepts (" + bodyLimit + " bytes)."));
      }
      boolean timeout = isTimeout(err);
      // the operator's side of the page the client gets (as nginx's error log): which endpoint, and why
      LOG.warn("{} {}{}: {} from {}: {}", context.request().getMethod(), context.request().proxiedRequest().authority(),
          context.request().getURI(), timeout ? 504 : 502, context.get(EndpointSelector.ENDPOINT, Object.class), String.valueOf(err));
      return Future.succeededFuture(timeout
          ? ErrorPages.page(context, 504, "The application did not answer in time.")
          : ErrorPages.page(context, 502, "The application could not be reached or sent an invalid answer."));
    });
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    ProxyResponse response = context.response();
    Body body = response.getBody();
    if (body != null && !context.isWebSocket()) {
      BrokenAnswerStream[] observed = new BrokenAnswerStream[1];
      observed[0] = new BrokenAnswerStream(body.stream(), err -> {
        if (context.request().proxiedRequest().response().closed()) {
          // the client left first (a closed tab, a follow stream ended): the proxy cut the upstream exchange itself
          LOG.debug("{} {}{}: the client left during the answer", context.request().getMethod(),
              context.request().proxiedRequest().authority(), context.request().getURI());
          return;
        }
        onBroken.run();
        LOG.warn("{} {}{}: the answer of {} broke off after {} body bytes; the client's connection is reset: {}",
            context.request().getMethod(), context.request().proxiedRequest().authority(), context.request().getURI(),
            context.get(EndpointSelector.ENDPOINT, Object.class), observed[0].bytes(), String.valueOf(err));
      });
      response.setBody(Body.body(observed[0], body.length(), body.mediaType()));
    }
    return context.sendResponse();
  }

  static boolean isTimeout(Throwable err) {
    for (Throwable cause = err; cause != null; cause = cause.getCause()) {
      if (cause instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }
}
