package io.skypanel.edge.proxy;

import io.skypanel.common.web.Headers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Tells the application who asked: the original Host, X-Forwarded-For/Proto/Host, the standard Forwarded header,
 * and a request id.
 * Client-sent forwarding headers are replaced, not trusted: the edge is the first hop the platform controls.
 */
public final class ForwardedHeadersInterceptor implements ProxyInterceptor {

  static final String REQUEST_ID = Headers.REQUEST_ID;

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    HttpServerRequest incoming = context.request().proxiedRequest();
    MultiMap headers = context.request().headers();
    String client = incoming.remoteAddress() == null ? "unknown" : incoming.remoteAddress().hostAddress();
    String proto = incoming.isSSL() ? "https" : "http";
    String host = incoming.authority() == null ? "" : incoming.authority().toString();
    if (incoming.authority() != null) {
      // the application sees the hostname it is served under, not the task's address (vertx-http-proxy would send the origin's)
      context.request().setAuthority(incoming.authority());
    }
    headers.set(Headers.FORWARDED_FOR, client);
    headers.set(Headers.FORWARDED_PROTO, proto);
    headers.set(Headers.FORWARDED_HOST, host);
    headers.set("Forwarded", "for=" + quoteIfNeeded(client) + ";proto=" + proto + ";host=\"" + host + "\"");
    String requestId = headers.get(REQUEST_ID);
    if (requestId == null || !requestId.matches("[A-Za-z0-9._-]{8,64}")) {
      // an identifier, not a secret: ThreadLocalRandom avoids SecureRandom's lock shared by every event loop
      java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
      headers.set(REQUEST_ID, new java.util.UUID(random.nextLong(), random.nextLong()).toString());
    }
    return context.sendRequest();
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    context.response().putHeader(REQUEST_ID, context.request().headers().get(REQUEST_ID));
    return context.sendResponse();
  }

  /** RFC 7239: IPv6 addresses are quoted and bracketed. */
  static String quoteIfNeeded(String address) {
    return address.contains(":") ? "\"[" + address + "]\"" : address;
  }
}
