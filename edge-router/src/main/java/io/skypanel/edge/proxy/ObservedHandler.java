package io.skypanel.edge.proxy;

import io.skypanel.common.web.Headers;
import io.skypanel.edge.observability.AccessLog;
import io.skypanel.edge.observability.EdgeMetrics;
import io.skypanel.edge.routing.Route;
import io.skypanel.edge.usage.UsageMeter;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * Wraps the proxy: every answer (proxied, or the edge's own 404/502/503) is counted and access-logged once the
 * response has been written, with the service the Host routes to, and metered for the container's usage (platform
 * routes, the API hostname's, are counted under their service but metered to no one).
 */
public final class ObservedHandler implements Handler<HttpServerRequest> {

  private final Handler<HttpServerRequest> proxy;
  private final RouteLookup routes;
  private final EdgeMetrics metrics;
  private final UsageMeter usage;

  /** @param usage null: nothing metered (tests, benchmarks) */
  public ObservedHandler(Handler<HttpServerRequest> proxy, RouteLookup routes, EdgeMetrics metrics, UsageMeter usage) {
    this.proxy = proxy;
    this.routes = routes;
    this.metrics = metrics;
    this.usage = usage;
  }

  @Override
  public void handle(HttpServerRequest request) {
    long start = System.nanoTime();
    String host = request.authority() == null ? null : request.authority().host();
    Route route = routes.find(request);
    String service = route == null ? "none" : route.service();
    request.response().endHandler(done -> {
      long nanos = System.nanoTime() - start;
      int status = request.response().getStatusCode();
      metrics.request(service, request.method().name(), status, nanos, request.bytesRead(), request.response().bytesWritten());
      if (route != null && route.tenant() && usage != null) {
        usage.record(route.organizationId(), route.containerId(), request.bytesRead(), request.response().bytesWritten());
      }
      if (AccessLog.enabled()) {
        AccessLog.write(new JsonObject()
            .put("time", Instant.now().toString())
            .put("client", request.remoteAddress() == null ? null : request.remoteAddress().hostAddress())
            .put("method", request.method().name())
            .put("host", host)
            .put("uri", request.uri())
            .put("status", status)
            .put("duration_ms", nanos / 1_000_000.0)
            .put("bytes_in", request.bytesRead())
            .put("bytes_out", request.response().bytesWritten())
            .put("service", service)
            .put("organization", route == null || !route.tenant() ? null : route.organizationId().toString())
            .put("request_id", request.getHeader(Headers.REQUEST_ID)));
      }
    });
    proxy.handle(request);
  }
}
