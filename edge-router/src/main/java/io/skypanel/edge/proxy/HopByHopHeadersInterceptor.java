package io.skypanel.edge.proxy;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpVersion;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Removes hop-by-hop headers from responses (RFC 9110 §7.6.1): {@code Connection}, every header it names,
 * {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer}, {@code Upgrade}. vertx-http-proxy 5.0
 * strips them from requests but copies them from the upstream's response, so an application answering
 * {@code Connection: close} (busybox httpd always does) would make the edge close every keep-alive client
 * connection, and over HTTP/2 the client rejects the response outright. When the edge itself wants the client
 * connection closed (its 413 and connection-limit pages) it says so with {@link #CLOSE_CONNECTION}; that is honoured
 * on HTTP/1.x only, where the header exists.
 */
public final class HopByHopHeadersInterceptor implements ProxyInterceptor {

  /** Set (to {@code true}) in the proxy context when the edge wants the client connection closed after the answer. */
  public static final String CLOSE_CONNECTION = "skypanel.closeConnection";

  private static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade");

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    return context.sendRequest();
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    MultiMap headers = context.response().headers();
    List<String> named = new ArrayList<>();
    for (String value : headers.getAll("connection")) {
      for (String token : value.split(",")) {
        named.add(token.trim().toLowerCase(Locale.ROOT));
      }
    }
    named.forEach(headers::remove);
    HOP_BY_HOP.forEach(headers::remove);
    if (Boolean.TRUE.equals(context.get(CLOSE_CONNECTION, Boolean.class))
        && context.request().proxiedRequest().version() != HttpVersion.HTTP_2) {
      headers.set("Connection", "close");
    }
    return context.sendResponse();
  }
}
