package io.skypanel.edge.routing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.skypanel.edge.health.EndpointHealth;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTableTest {

  private static final EndpointHealth HEALTH = new EndpointHealth(2);

  private static final UUID ORG_A = UUID.randomUUID();
  private static final UUID ORG_B = UUID.randomUUID();

  private static Route route(String host, UUID org, UUID container, int... ports) {
    List<SocketAddress> endpoints = java.util.Arrays.stream(ports).mapToObj(p -> SocketAddress.inetSocketAddress(p, "127.0.0.1")).toList();
    return new Route(host, org, container, endpoints);
  }

  @Test
  void looks_up_by_host_ignoring_case_port_and_trailing_dot() {
    RouteTable table = new RouteTable();
    UUID container = UUID.randomUUID();
    table.replaceAll(List.of(route("web-acme.apps.example.com", ORG_A, container, 30001)));

    assertThat(table.lookup("Web-Acme.Apps.Example.COM:8000").containerId()).isEqualTo(container);
    assertThat(table.lookup("web-acme.apps.example.com.").containerId()).isEqualTo(container);
    assertThat(table.lookup("other.apps.example.com")).isNull();
    assertThat(table.lookup(null)).isNull();
  }

  @Test
  void replacing_one_container_leaves_the_others_alone_and_never_takes_a_claimed_hostname() {
    RouteTable table = new RouteTable();
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    table.replaceAll(List.of(route("a.example.com", ORG_A, a, 30001), route("b.example.com", ORG_B, b, 30002)));

    table.replaceContainer(b, List.of(route("b.example.com", ORG_B, b, 30003), route("a.example.com", ORG_B, b, 30003)));

    assertThat(table.lookup("a.example.com").organizationId()).as("a's hostname stays with a").isEqualTo(ORG_A);
    assertThat(table.lookup("b.example.com").nextEndpoint(HEALTH).port()).isEqualTo(30003);
    table.replaceContainer(b, List.of());
    assertThat(table.lookup("b.example.com")).isNull();
    assertThat(table.size()).isEqualTo(1);
  }

  @Test
  void endpoints_rotate_and_an_empty_route_has_none() {
    Route route = route("r.example.com", ORG_A, UUID.randomUUID(), 1, 2, 3);
    assertThat(List.of(route.nextEndpoint(HEALTH).port(), route.nextEndpoint(HEALTH).port(), route.nextEndpoint(HEALTH).port(), route.nextEndpoint(HEALTH).port()))
        .containsExactly(1, 2, 3, 1);
    assertThat(route("e.example.com", ORG_A, UUID.randomUUID()).nextEndpoint(HEALTH)).isNull();
  }

  @Test
  void an_endpoint_marked_down_is_skipped_while_another_is_up() {
    Route route = route("d.example.com", ORG_A, UUID.randomUUID(), 1, 2);
    EndpointHealth health = new EndpointHealth(2);
    health.refused(SocketAddress.inetSocketAddress(1, "127.0.0.1"), 60_000);
    assertThat(List.of(route.nextEndpoint(health).port(), route.nextEndpoint(health).port(), route.nextEndpoint(health).port())).containsOnly(2);

    health.refused(SocketAddress.inetSocketAddress(2, "127.0.0.1"), 60_000);
    assertThat(route.nextEndpoint(health)).as("all down: still try one rather than fail unasked").isNotNull();
  }

  @Test
  void a_retry_goes_to_an_endpoint_the_request_has_not_tried_even_one_marked_down() {
    Route route = route("t.example.com", ORG_A, UUID.randomUUID(), 1, 2, 3);
    EndpointHealth health = new EndpointHealth(1);
    SocketAddress one = SocketAddress.inetSocketAddress(1, "127.0.0.1");
    SocketAddress two = SocketAddress.inetSocketAddress(2, "127.0.0.1");
    SocketAddress three = SocketAddress.inetSocketAddress(3, "127.0.0.1");
    health.probed(two, false);
    health.probed(three, false);
    for (int i = 0; i < 6; i++) {
      assertThat(route.nextEndpoint(health, java.util.Set.of(one))).as("try %d", i).isIn(two, three);
      assertThat(route.nextEndpoint(health, java.util.Set.of(one, two))).isEqualTo(three);
    }
    assertThat(route.nextEndpoint(health, java.util.Set.of(one, two, three))).as("all tried: one of them again").isNotNull();
  }

  @Test
  void the_longest_matching_path_prefix_wins_and_a_prefix_matches_whole_segments() {
    RouteTable table = new RouteTable();
    UUID site = UUID.randomUUID();
    UUID api = UUID.randomUUID();
    table.replaceAll(List.of(
        new Route("shop.example.com", "/", ORG_A, site, List.of(), RoutePolicy.defaults(null, 10)),
        new Route("shop.example.com", "/api", ORG_A, api, List.of(), RoutePolicy.defaults(null, 10))));
    assertThat(table.lookup("shop.example.com", "/api/orders").containerId()).isEqualTo(api);
    assertThat(table.lookup("shop.example.com", "/api").containerId()).isEqualTo(api);
    assertThat(table.lookup("shop.example.com", "/apiary").containerId()).isEqualTo(site);
    assertThat(table.lookup("shop.example.com", "/").containerId()).isEqualTo(site);
    assertThat(table.size()).isEqualTo(1);

    table.replaceContainer(api, List.of());
    assertThat(table.lookup("shop.example.com", "/api/orders").containerId()).isEqualTo(site);
  }

  @Test
  void edge_settings_become_the_route_policy_and_bad_values_fall_back_to_defaults() {
    RoutePolicy.RateLimit org = new RoutePolicy.RateLimit(100, 200);
    RoutePolicy policy = RoutePolicy.fromSettings(true, new JsonObject().put("rate_limit_rps", 5).put("max_body_bytes", 1024)
        .put("timeout_ms", 250).put("health_check_path", "/healthz").put("force_https", false), org, 7);
    assertThat(policy.maintenance()).isTrue();
    assertThat(policy.routeRate()).isEqualTo(new RoutePolicy.RateLimit(5, 5));
    assertThat(policy.organizationRate()).isEqualTo(org);
    assertThat(policy.organizationMaxConnections()).isEqualTo(7);
    assertThat(policy.maxBodyBytes()).isEqualTo(1024);
    assertThat(policy.timeoutMs()).isEqualTo(250);
    assertThat(policy.healthCheckPath()).isEqualTo("/healthz");
    assertThat(policy.forceHttps()).isFalse();

    RoutePolicy fallback = RoutePolicy.fromSettings(false, new JsonObject().put("rate_limit_rps", -3).put("timeout_ms", "soon")
        .put("health_check_path", "healthz"), org, 7);
    assertThat(fallback.routeRate()).isNull();
    assertThat(fallback.timeoutMs()).isZero();
    assertThat(fallback.healthCheckPath()).isNull();
    assertThat(fallback.forceHttps()).isTrue();
  }

  @Test
  void only_the_first_public_tcp_port_is_routed() {
    JsonArray ports = new JsonArray()
        .add(new JsonObject().put("container_port", 9000).put("public", false))
        .add(new JsonObject().put("container_port", 8080).put("protocol", "tcp").put("public", true));
    JsonArray endpoints = new JsonArray()
        .add(new JsonObject().put("address", "127.0.0.1").put("port", 31000).put("container_port", 9000).put("protocol", "tcp"))
        .add(new JsonObject().put("address", "127.0.0.1").put("port", 31001).put("container_port", 8080).put("protocol", "tcp"));

    assertThat(RouteRepository.endpoints(ports, endpoints)).extracting(SocketAddress::port).containsExactly(31001);
    assertThat(RouteRepository.endpoints(new JsonArray().add(new JsonObject().put("container_port", 9000).put("public", false)), endpoints)).isEmpty();
  }
}
