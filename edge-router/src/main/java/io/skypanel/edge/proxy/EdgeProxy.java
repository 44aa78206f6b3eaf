package io.skypanel.edge.proxy;

import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.OriginRequestProvider;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyOptions;

/**
 * The edge's reverse proxy: vertx-http-proxy with keep-alive connections to the upstreams and an interceptor
 * chain (route lookup, forwarded headers). The origin is the next live endpoint of the request's route.
 */
public final class EdgeProxy {

  private EdgeProxy() {
  }

  public static HttpProxy create(Vertx vertx, RouteTable table) {
    HttpClient upstreams = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true)
            .setConnectTimeout(2000)
            .setIdleTimeout(60),
        new PoolOptions().setHttp1MaxSize(256));
    return HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(true), upstreams)
        .origin(OriginRequestProvider.selector(EdgeProxy::origin))
        .addInterceptor(new RouteInterceptor(table))
        .addInterceptor(new ForwardedHeadersInterceptor());
  }

  private static Future<SocketAddress> origin(ProxyContext context) {
    Route route = context.get(RouteInterceptor.ROUTE, Route.class);
    SocketAddress endpoint = route == null ? null : route.nextEndpoint();
    return endpoint == null ? Future.failedFuture("no endpoint") : Future.succeededFuture(endpoint);
  }
}
