package io.skypanel.edge.health;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RoutePolicy;
import io.skypanel.edge.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Active health checks against real upstream servers. */
@ExtendWith(VertxExtension.class)
class ActiveHealthCheckerTest {

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  @Test
  void a_failing_endpoint_leaves_rotation_after_two_probes_and_returns_after_one_good_one(Vertx vertx) throws Exception {
    AtomicInteger sickStatus = new AtomicInteger(503);
    HttpServer healthy = await(vertx.createHttpServer().requestHandler(r -> r.response().end("ok")).listen(0, "127.0.0.1"));
    HttpServer sick = await(vertx.createHttpServer().requestHandler(r -> r.response().setStatusCode(
        r.path().equals("/healthz") ? sickStatus.get() : 200).end()).listen(0, "127.0.0.1"));
    SocketAddress good = SocketAddress.inetSocketAddress(healthy.actualPort(), "127.0.0.1");
    SocketAddress bad = SocketAddress.inetSocketAddress(sick.actualPort(), "127.0.0.1");
    RouteTable table = new RouteTable();
    RoutePolicy policy = new RoutePolicy(false, null, null, 10, 0, 0, "/healthz", true);
    Route route = new Route("checked.test", "/", UUID.randomUUID(), UUID.randomUUID(), List.of(good, bad), policy);
    table.replaceAll(List.of(route));
    EndpointHealth health = new EndpointHealth(2);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ActiveHealthChecker checker = new ActiveHealthChecker(vertx, table, health, registry, 1000);
    try {
      await(checker.round());
      assertThat(health.isUp(bad)).as("one failure is not enough").isTrue();
      await(checker.round());
      assertThat(health.isUp(bad)).isFalse();
      assertThat(List.of(route.nextEndpoint(health), route.nextEndpoint(health), route.nextEndpoint(health))).containsOnly(good);
      assertThat(registry.get("skypanel.edge.endpoint.up").tag("endpoint", bad.toString()).gauge().value()).isZero();
      assertThat(registry.get("skypanel.edge.endpoint.up").tag("endpoint", good.toString()).gauge().value()).isEqualTo(1);

      sickStatus.set(200);
      await(checker.round());
      assertThat(health.isUp(bad)).isTrue();
    } finally {
      checker.stop();
      await(healthy.close());
      await(sick.close());
    }
  }

  @Test
  void without_a_path_a_closed_port_is_down(Vertx vertx) throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    SocketAddress gone = SocketAddress.inetSocketAddress(closed, "127.0.0.1");
    RouteTable table = new RouteTable();
    table.replaceAll(List.of(new Route("tcp.test", UUID.randomUUID(), UUID.randomUUID(), List.of(gone))));
    EndpointHealth health = new EndpointHealth(1);
    ActiveHealthChecker checker = new ActiveHealthChecker(vertx, table, health, new SimpleMeterRegistry(), 1000);
    try {
      await(checker.round());
      assertThat(health.isUp(gone)).isFalse();
    } finally {
      checker.stop();
    }
  }
}
