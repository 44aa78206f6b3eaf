package io.skypanel.edge.proxy;

import io.vertx.core.Future;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

import java.util.concurrent.TimeoutException;

/**
 * Turns a failed upstream exchange into the edge's page: 504 when the application did not answer within the
 * route's timeout, 502 when no endpoint accepted the connection or the answer broke off (vertx-http-proxy
 * would send an empty 502 for both), and 413 when the exchange was cut because a streamed body grew too large.
 */
public final class UpstreamFailureInterceptor implements ProxyInterceptor {

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    return context.sendRequest().recover(err -> {
      Long bodyLimit = context.get(BodyLimitInterceptor.TOO_LARGE, Long.class);
      if (bodyLimit != null) {
        context.set(HopByHopHeadersInterceptor.CLOSE_CONNECTION, true);
        return Future.succeededFuture(ErrorPages.page(context, 413,
            "The request body is larger than this application accepts (" + bodyLimit + " bytes)."));
      }
      return Future.succeededFuture(isTimeout(err)
          ? ErrorPages.page(context, 504, "The application did not answer in time.")
          : ErrorPages.page(context, 502, "The application could not be reached or sent an invalid answer."));
    });
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
