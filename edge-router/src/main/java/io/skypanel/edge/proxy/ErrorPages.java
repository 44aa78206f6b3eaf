package io.skypanel.edge.proxy;

import io.vertx.core.buffer.Buffer;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.MediaType;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyResponse;

/**
 * The edge's own answers (404, 413, 429, 502, 503, 504): a small HTML page that says what happened in words a
 * visitor understands, never cached, with the request id so support can find the request in the access log.
 */
public final class ErrorPages {

  private static final MediaType HTML = MediaType.parse("text/html; charset=utf-8");

  private ErrorPages() {
  }

  /** Replaces whatever the proxy had with the edge's page for {@code status}. */
  public static ProxyResponse page(ProxyContext context, int status, String message) {
    ProxyResponse response = context.request().release().response();
    String requestId = context.request().headers().get(ForwardedHeadersInterceptor.REQUEST_ID);
    return response.setStatusCode(status)
        .putHeader("Cache-Control", "no-store")
        .setBody(Body.body(Buffer.buffer(html(status, message, requestId)), HTML));
  }

  static String html(int status, String message, String requestId) {
    String title = status + " " + reason(status);
    return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + title + "</title></head>\n"
        + "<body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\"><h1>" + title + "</h1>\n<p>"
        + escape(message) + "</p>\n"
        + (requestId == null ? "" : "<p><small>request id " + escape(requestId) + "</small></p>\n")
        + "</body></html>\n";
  }

  static String reason(int status) {
    return switch (status) {
      case 404 -> "Not Found";
      case 413 -> "Content Too Large";
      case 429 -> "Too Many Requests";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Error";
    };
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
