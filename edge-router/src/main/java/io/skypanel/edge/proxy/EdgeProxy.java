package io.skypanel.edge.proxy;

import io.skypanel.edge.EdgeOptions;
import io.skypanel.edge.health.EndpointHealth;
import io.skypanel.edge.limits.OrganizationConnections;
import io.skypanel.edge.limits.RateLimiter;
import io.skypanel.edge.limits.RedisTokenBuckets;
import io.skypanel.edge.observability.EdgeMetrics;
import io.skypanel.edge.platform.ApiHostInterceptor;
import io.skypanel.edge.platform.ApiRoutes;
import io.skypanel.edge.platform.PlatformOrigin;
import io.skypanel.edge.routing.RouteTable;
import io.skypanel.edge.usage.UsageMeter;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyOptions;

import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The edge's reverse proxy: vertx-http-proxy with keep-alive connections to the upstreams and an interceptor
 * chain, in request order:
 * <ol>
 *   <li>{@link WebSocketTunnelInterceptor}: the WebSocket tunnel with backpressure (last on the way back);</li>
 *   <li>{@link HopByHopHeadersInterceptor}: no hop-by-hop headers in answers (plain HTTP exchanges only);</li>
 *   <li>{@link UpstreamFailureInterceptor}: 502/504 pages for failed exchanges;</li>
 *   <li>{@link ApiHostInterceptor}: the platform's API hostname, routed by path to its services (JSON errors);</li>
 *   <li>{@link RouteInterceptor}: Host and path to route; 404, maintenance and no-endpoint 503;</li>
 *   <li>{@link HttpsInterceptor}: HTTP→HTTPS redirect and HSTS once a certificate exists;</li>
 *   <li>{@link LimitsInterceptor}: per-organization connections and rates, per-route rate;</li>
 *   <li>{@link BodyLimitInterceptor}: request body limit (plain HTTP requests only);</li>
 *   <li>{@link ForwardedHeadersInterceptor}: original Host, X-Forwarded-*, Forwarded, request id;</li>
 *   <li>{@link UnansweredRetryInterceptor}: a safe request whose endpoint closed without answering goes to the next
 *   one (plain HTTP exchanges only).</li>
 * </ol>
 * {@link EndpointSelector} then picks the origin, trying another endpoint when one refuses the connection
 * ({@link PlatformOrigin} dials the platform's own services for the API hostname).
 * One instance per event loop: its HTTP client and rate-limit leases belong to that loop.
 */
public final class EdgeProxy {

  /** What every listener of the process shares; {@code api}: the platform's API hostname and its services. */
  public record Shared(
      EdgeOptions options,
      RouteTable routes,
      EdgeMetrics metrics,
      EndpointHealth health,
      OrganizationConnections connections,
      UsageMeter usage,
      RedisTokenBuckets buckets,
      Predicate<String> hasCertificate,
      ApiRoutes api,
      Supplier<io.vertx.core.net.ProxyOptions> gateway) {

    /** Tenant routes only, no API hostname, no edge gateway: every endpoint is dialled directly (proxy tests). */
    public Shared(EdgeOptions options, RouteTable routes, EdgeMetrics metrics, EndpointHealth health, OrganizationConnections connections,
                  UsageMeter usage, RedisTokenBuckets buckets, Predicate<String> hasCertificate) {
      this(options, routes, metrics, health, connections, usage, buckets, hasCertificate, ApiRoutes.NONE, () -> null);
    }
  }

  private EdgeProxy() {
  }

  /** The edge's request handler for the calling event loop: the observed proxy. */
  public static Handler<HttpServerRequest> create(Vertx vertx, Shared shared) {
    EdgeOptions options = shared.options();
    HttpClient upstreams = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true)
            .setConnectTimeout(options.connectTimeoutMs())
            .setIdleTimeout(60),
        new PoolOptions().setHttp1MaxSize(256));
    // the platform's services: no connection idle limit (consoles and log streams are quiet for long)
    HttpClient services = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true)
            .setConnectTimeout(options.connectTimeoutMs())
            .setIdleTimeout(0),
        new PoolOptions().setHttp1MaxSize(256));
    RateLimiter limiter = options.rateLimits() && shared.buckets() != null ? new RateLimiter(shared.buckets()) : null;
    HttpProxy proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(true), upstreams)
        .origin(new PlatformOrigin(new EndpointSelector(shared.health(), options.upstreamTimeoutMs(), shared.metrics()::retried, shared.gateway()),
            services, shared.health()))
        .addInterceptor(new WebSocketTunnelInterceptor((route, in, out) -> {
          if (shared.usage() != null && route.tenant()) {
            shared.usage().recordTunnel(route.organizationId(), route.containerId(), in, out);
          }
        }), true)
        .addInterceptor(new HopByHopHeadersInterceptor())
        .addInterceptor(new UpstreamFailureInterceptor(shared.metrics()::answerBroken), true)
        .addInterceptor(new ApiHostInterceptor(shared.api()), true)
        .addInterceptor(new RouteInterceptor(shared.routes()), true)
        .addInterceptor(new HttpsInterceptor(shared.hasCertificate(), options.hstsMaxAgeSeconds(), options.redirectHttpsPort()), true)
        .addInterceptor(new LimitsInterceptor(shared.connections(), limiter), true)
        .addInterceptor(new BodyLimitInterceptor(options.maxBodyBytes()))
        .addInterceptor(new ForwardedHeadersInterceptor(), true)
        .addInterceptor(new UnansweredRetryInterceptor(shared.health(), shared.metrics()::retried));
    return new ObservedHandler(proxy, shared.api().before(shared.routes()), shared.metrics(), shared.usage());
  }
}
