package io.skypanel.edge.proxy;

import io.skypanel.edge.routing.RouteTable;
import io.skypanel.edge.observability.EdgeMetrics;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyOptions;

/**
 * The edge's reverse proxy: vertx-http-proxy with keep-alive connections to the upstreams and an interceptor
 * chain (route lookup, forwarded headers). {@link EndpointSelector} picks the origin, trying another endpoint
 * when one refuses the connection.
 */
public final class EdgeProxy {

  private EdgeProxy() {
  }

  /** The edge's request handler: the observed proxy. */
  public static Handler<HttpServerRequest> create(Vertx vertx, RouteTable table, EdgeMetrics metrics) {
    HttpClient upstreams = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true)
            .setConnectTimeout(2000)
            .setIdleTimeout(60),
        new PoolOptions().setHttp1MaxSize(256));
    HttpProxy proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(true), upstreams)
        .origin(new EndpointSelector(metrics::retried))
        .addInterceptor(new RouteInterceptor(table))
        .addInterceptor(new ForwardedHeadersInterceptor());
    return new ObservedHandler(proxy, table, metrics);
  }
}
