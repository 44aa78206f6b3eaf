package io.skypanel.launcher;

import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.TestImages;
import io.skypanel.launcher.support.WholePlatform;
import io.skypanel.launcher.support.WholePlatform.EdgeAnswer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole platform in one process against the real engine: a container created through the API is reached
 * through the edge router by its hostname, never through another organization's, and route changes reach the
 * edge through pub/sub well under a second.
 */
class EdgeRoutingTest {

  private static final Duration CONVERGE = Duration.ofSeconds(90);

  private static WholePlatform platform;
  private static ApiClient api;

  record Tenant(ApiClient.Session session, String containerId, String hostname) {
  }

  @BeforeAll
  static void start() throws IOException {
    platform = WholePlatform.builder("routing").start();
    api = platform.api();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (platform != null) {
      platform.close();
    }
  }

  private static Tenant tenant(String name, String body) {
    ApiClient.Session session = platform.newUser(name);
    platform.usePlan(session.personalOrganizationId(), "performance");
    String tagged = TestImages.web("edge-" + name.toLowerCase(), body);
    var created = Await.result(api.post("/api/caas/containers", session.token(), new JsonObject()
        .put("name", "web").put("image_ref", TestImages.digestOf(tagged))
        .put("ports", new JsonArray().add(new JsonObject().put("container_port", 8080)))
        .put("resources", new JsonObject().put("cpu", 0.25).put("memory_mb", 64))));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(202);
    String id = created.bodyAsJsonObject().getString("id");
    Eventually.await(name + "'s container running", CONVERGE, () -> {
      JsonObject c = Await.result(api.get("/api/caas/containers/" + id, session.token())).bodyAsJsonObject();
      return "running".equals(c.getString("status")) && !c.getJsonArray("endpoints").isEmpty() ? c : null;
    });
    return new Tenant(session, id, created.bodyAsJsonObject().getString("default_domain"));
  }

  /** GET / on the edge with {@code host} as the Host header. */
  private static EdgeAnswer viaEdge(String host) {
    return platform.viaEdge(host);
  }

  @Test
  void each_hostname_reaches_its_own_organizations_container_and_an_unknown_one_nothing() {
    Tenant alice = tenant("Alice", "hello alice");
    Tenant bob = tenant("Bob", "hello bob");
    assertThat(alice.hostname()).endsWith(".apps.skypanel.test").isNotEqualTo(bob.hostname());

    String aliceBody = Eventually.await("alice's hostname routed", Duration.ofSeconds(10), () -> {
      EdgeAnswer r = viaEdge(alice.hostname());
      return r.statusCode() == 200 ? r.body().trim() : null;
    });
    assertThat(aliceBody).isEqualTo("hello alice");
    assertThat(viaEdge(bob.hostname()).body().trim()).isEqualTo("hello bob");
    // the client sends Host with the port; the port and the case of the name are ignored
    assertThat(viaEdge(alice.hostname().toUpperCase()).body().trim()).as("case ignored").isEqualTo("hello alice");

    EdgeAnswer unknown = viaEdge("nobody-" + UUID.randomUUID() + ".apps.skypanel.test");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("No application");
    assertThat(unknown.body()).doesNotContain("hello");

    // the process's Prometheus text carries the edge's meters under the documented names
    String scrape = platform.running().platform().metrics().registry().scrape();
    assertThat(scrape).contains("skypanel_edge_requests_total{code=\"200\",method=\"GET\",service=\"" + alice.containerId() + "\"}")
        .contains("skypanel_edge_requests_total{code=\"404\",method=\"GET\",service=\"none\"}")
        .contains("skypanel_edge_sent_bytes_total").contains("skypanel_edge_request_duration_seconds_bucket")
        .contains("skypanel_edge_routes").contains("skypanel_edge_open_connections");
  }

  @Test
  void a_rolling_update_and_a_scale_down_under_a_client_loop_fail_no_request() {
    Tenant dave = tenant("Dave", "hello dave");
    String token = dave.session().token();
    String path = "/api/caas/containers/" + dave.containerId();
    assertThat(Await.result(api.post(path + "/scale", token, new JsonObject().put("replicas", 2))).statusCode()).isEqualTo(202);
    Eventually.await("two replicas routed", CONVERGE, () -> {
      JsonObject c = Await.result(api.get(path, token)).bodyAsJsonObject();
      return "running".equals(c.getString("status")) && c.getJsonArray("endpoints").size() == 2 ? c : null;
    });
    String v2 = TestImages.digestOf(TestImages.web("edge-dave-v2", "hello dave v2"));

    int[] total = {0};
    java.util.List<String> failures = new java.util.ArrayList<>();
    java.util.function.Predicate<java.util.function.BooleanSupplier> loopUntil = done -> {
      long deadline = System.nanoTime() + CONVERGE.toNanos();
      while (System.nanoTime() < deadline) {
        try {
          EdgeAnswer answer = viaEdge(dave.hostname());
          total[0]++;
          if (answer.statusCode() != 200) {
            failures.add(answer.statusCode() + " " + answer.body().trim());
          }
        } catch (RuntimeException e) {
          total[0]++;
          failures.add(String.valueOf(e.getMessage()));
        }
        if (total[0] % 20 == 0 && done.getAsBoolean()) {
          return true;
        }
      }
      return false;
    };

    assertThat(Await.result(api.post(path + "/deploy", token, new JsonObject().put("image_ref", v2))).statusCode()).isEqualTo(202);
    boolean updated = loopUntil.test(() -> {
      JsonObject c = Await.result(api.get(path, token)).bodyAsJsonObject();
      return c.getJsonObject("last_deploy") != null && "deployed".equals(c.getJsonObject("last_deploy").getString("state"))
          && v2.equals(c.getJsonObject("last_deploy").getString("image")) && c.getJsonArray("endpoints").size() == 2
          && "hello dave v2".equals(viaEdge(dave.hostname()).body().trim());
    });
    assertThat(updated).as("the update finished while the client looped").isTrue();

    assertThat(Await.result(api.post(path + "/scale", token, new JsonObject().put("replicas", 1))).statusCode()).isEqualTo(202);
    boolean scaledDown = loopUntil.test(() -> {
      JsonObject c = Await.result(api.get(path, token)).bodyAsJsonObject();
      return c.getInteger("running_replicas") == 1 && c.getJsonArray("endpoints").size() == 1
          && TestImages.docker("ps", "-q", "--filter", "label=skypanel.container=" + dave.containerId()).trim().split("\\s+").length == 1;
    });
    assertThat(scaledDown).as("the scale-down finished while the client looped").isTrue();

    System.out.println("rolling update + scale-down through the edge: " + total[0] + " requests, " + failures.size() + " failed");
    assertThat(total[0]).isGreaterThan(100);
    assertThat(failures).as("failed requests out of " + total[0]).isEmpty();
  }

  @Test
  void a_deleted_container_stops_routing_within_a_second_of_the_change() {
    Tenant carol = tenant("Carol", "hello carol");
    Eventually.await("carol routed", Duration.ofSeconds(10), () -> viaEdge(carol.hostname()).statusCode() == 200 ? true : null);

    assertThat(Await.result(api.send(HttpMethod.DELETE, "/api/caas/containers/" + carol.containerId(), carol.session().token(), null)).statusCode())
        .isEqualTo(202);
    // the change is committed when the control plane stops showing the container; from then on the edge has one second
    Eventually.await("the deletion committed", CONVERGE, () ->
        Await.result(api.get("/api/caas/containers/" + carol.containerId(), carol.session().token())).statusCode() == 404 ? true : null);
    long committed = System.nanoTime();
    Eventually.await("the edge forgot the hostname", Duration.ofSeconds(5), () -> viaEdge(carol.hostname()).statusCode() == 404 ? true : null);
    long elapsedMs = (System.nanoTime() - committed) / 1_000_000;
    System.out.println("route change visible at the edge " + elapsedMs + " ms after the commit was observed (poll step 250 ms)");
    assertThat(elapsedMs).as("route change visible at the edge (ms)").isLessThan(1000);
  }
}
