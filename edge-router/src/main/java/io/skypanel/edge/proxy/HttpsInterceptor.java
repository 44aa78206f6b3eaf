package io.skypanel.edge.proxy;

import io.skypanel.edge.routing.Route;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

import java.util.function.Predicate;

/**
 * Once a hostname has a certificate: plain HTTP is redirected to HTTPS (301 for GET and HEAD, 308 otherwise so
 * the method and body are kept; a route can opt out with {@code force_https: false}) and HTTPS answers carry HSTS, so browsers stop trying
 * plain HTTP. Hostnames without a certificate are served as they are asked; redirecting them would only lead
 * to a certificate warning.
 */
public final class HttpsInterceptor implements ProxyInterceptor {

  private final Predicate<String> hasCertificate;
  private final long hstsMaxAgeSeconds;
  private final int httpsPort;

  public HttpsInterceptor(Predicate<String> hasCertificate, long hstsMaxAgeSeconds, int httpsPort) {
    this.hasCertificate = hasCertificate;
    this.hstsMaxAgeSeconds = hstsMaxAgeSeconds;
    this.httpsPort = httpsPort;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    HttpServerRequest incoming = context.request().proxiedRequest();
    Route route = context.get(RouteInterceptor.ROUTE, Route.class);
    if (!incoming.isSSL() && route.policy().forceHttps() && hasCertificate.test(route.host())) {
      String location = "https://" + route.host() + (httpsPort == 443 ? "" : ":" + httpsPort) + incoming.uri();
      ProxyResponse redirect = context.request().release().response()
          .setStatusCode(incoming.method() == HttpMethod.GET || incoming.method() == HttpMethod.HEAD ? 301 : 308)
          .putHeader("Location", location)
          .putHeader("Content-Length", "0");
      return Future.succeededFuture(redirect);
    }
    return context.sendRequest();
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    HttpServerRequest incoming = context.request().proxiedRequest();
    Route route = context.get(RouteInterceptor.ROUTE, Route.class);
    if (incoming.isSSL() && route != null && hstsMaxAgeSeconds > 0 && hasCertificate.test(route.host())) {
      context.response().putHeader("Strict-Transport-Security", "max-age=" + hstsMaxAgeSeconds);
    }
    return context.sendResponse();
  }
}
