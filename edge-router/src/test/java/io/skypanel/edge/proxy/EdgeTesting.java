package io.skypanel.edge.proxy;

import io.micrometer.core.instrument.MeterRegistry;
import io.skypanel.common.config.Settings;
import io.skypanel.edge.EdgeOptions;
import io.skypanel.edge.health.EndpointHealth;
import io.skypanel.edge.limits.OrganizationConnections;
import io.skypanel.edge.limits.RedisTokenBuckets;
import io.skypanel.edge.observability.EdgeMetrics;
import io.skypanel.edge.routing.RouteTable;
import io.skypanel.edge.usage.UsageMeter;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Builds the edge's shared parts for proxy tests: default options, no Redis, no metering unless given. */
final class EdgeTesting {

  private EdgeTesting() {
  }

  static EdgeOptions options() {
    return EdgeOptions.from(new Settings(new JsonObject()));
  }

  static EdgeProxy.Shared shared(RouteTable table, MeterRegistry registry, Predicate<String> hasCertificate) {
    return shared(table, registry, hasCertificate, new OrganizationConnections(), null, null);
  }

  static EdgeProxy.Shared shared(RouteTable table, MeterRegistry registry, Predicate<String> hasCertificate,
                                 OrganizationConnections connections, RedisTokenBuckets buckets, UsageMeter usage) {
    return new EdgeProxy.Shared(options(), table, new EdgeMetrics(registry, table), new EndpointHealth(2), connections,
        usage, buckets, hasCertificate);
  }

  static List<SocketAddress> endpoints(int... ports) {
    List<SocketAddress> endpoints = new ArrayList<>();
    for (int port : ports) {
      endpoints.add(SocketAddress.inetSocketAddress(port, "127.0.0.1"));
    }
    return endpoints;
  }
}
