package io.skypanel.controlplane.caas.containers;

import io.skypanel.common.metrics.Metrics;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.ControlPlaneServer;
import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the periodic sweep pushed out to ten minutes, only the engine's event stream can move a container to
 * running and follow a killed task to its replacement: these tests fail if the control plane polls instead.
 */
class ContainerEventsTest {

  private static Vertx vertx;
  private static ControlPlaneServer server;
  private static ApiClient api;
  private static ApiClient.Session owner;

  @BeforeAll
  static void start() {
    Metrics metrics = new Metrics();
    vertx = Vertx.builder().with(metrics.vertxOptions()).withMetrics(metrics.factory()).build();
    server = Await.result(ControlPlaneServer.start(vertx, metrics, new JsonObject().put("SKYPANEL_CAAS_RECONCILE_INTERVAL_MS", "600000")));
    api = new ApiClient(vertx, server.port());
    owner = Await.result(api.newUser("Event Watcher"));
    TestServers.execute(server.database(), "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'performance') WHERE id = '"
        + owner.personalOrganizationId() + "'");
  }

  @AfterAll
  static void stop() {
    api.close();
    Await.result(server.stop());
    Await.result(vertx.close());
    // with the reconciler gone (it would repair them), remove what the test's containers left in Swarm
    String services = TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.org=" + owner.personalOrganizationId()).trim();
    for (String id : services.split("\\s+")) {
      if (!id.isBlank()) {
        TestImages.dockerResult("service", "rm", id);
      }
    }
  }

  private static JsonObject get(String id) {
    return Await.result(api.get("/api/caas/containers/" + id, owner.token())).bodyAsJsonObject();
  }

  /** A one-replica web container, once the events made it running with its endpoint. */
  private static JsonObject runningContainer(String namePrefix) {
    String image = TestImages.digestOf(TestImages.web("events-v1", "hello events"));
    var created = Await.result(api.post("/api/caas/containers", owner.token(), new JsonObject()
        .put("name", namePrefix + UUID.randomUUID().toString().substring(0, 6)).put("image_ref", image)
        .put("ports", new JsonArray().add(new JsonObject().put("container_port", 8080)))
        .put("resources", new JsonObject().put("cpu", 0.25).put("memory_mb", 64))));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(202);
    String id = created.bodyAsJsonObject().getString("id");
    return Eventually.await("running through events", Duration.ofSeconds(60), () -> {
      JsonObject c = get(id);
      return "running".equals(c.getString("status")) && c.getJsonArray("endpoints").size() == 1 ? c : null;
    });
  }

  /** The container once its one endpoint is a task other than {@code firstTask}. */
  private static JsonObject replacement(String id, String firstTask, Duration within) {
    return Eventually.await("the replacement task's endpoint", within, () -> {
      JsonObject c = get(id);
      JsonArray endpoints = c.getJsonArray("endpoints");
      return endpoints.size() == 1 && !firstTask.equals(endpoints.getJsonObject(0).getString("task_id")) ? c : null;
    });
  }

  @Test
  void a_killed_task_is_followed_to_its_replacement_without_a_sweep() {
    JsonObject first = runningContainer("ev-");
    String id = first.getString("id");
    String firstTask = first.getJsonArray("endpoints").getJsonObject(0).getString("task_id");
    String taskContainer = TestImages.docker("ps", "-q", "--filter", "label=skypanel.container=" + id).trim();

    TestImages.docker("kill", taskContainer);

    assertThat(replacement(id, firstTask, Duration.ofSeconds(60)).getString("status")).isEqualTo("running");
    var events = Await.result(api.get("/api/caas/containers/" + id + "/events", owner.token())).bodyAsJsonObject().getJsonArray("data");
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("type")).toList()).contains("fail");
  }

  @Test
  void a_change_seen_while_another_replica_holds_the_lock_is_looked_at_again_once_it_is_free() {
    JsonObject first = runningContainer("lk-");
    String id = first.getString("id");
    String firstTask = first.getJsonArray("endpoints").getJsonObject(0).getString("task_id");
    String firstContainer = TestImages.docker("ps", "-q", "--filter", "label=skypanel.container=" + id).trim();

    // another control-plane replica holds the container's reconcile lock (as during its own pass)
    String lock = server.platform().redisPrefix() + "caas:reconcile:" + id;
    Await.result(server.platform().redisApi().set(java.util.List.of(lock, "other-replica", "PX", "60000")));
    TestImages.docker("kill", firstContainer);
    // every event of the kill and of the replacement's start arrives while the lock is held
    Eventually.await("Swarm's replacement task running", Duration.ofSeconds(60), () -> {
      String now = TestImages.docker("ps", "-q", "--filter", "label=skypanel.container=" + id, "--filter", "status=running").trim();
      return !now.isEmpty() && !now.equals(firstContainer) ? now : null;
    });
    assertThat(get(id).getJsonArray("endpoints").getJsonObject(0).getString("task_id"))
        .as("nothing was recorded while the lock was held").isEqualTo(firstTask);
    Await.result(server.platform().redisApi().del(java.util.List.of(lock)));

    // the sweep is ten minutes away: only looking again after the lock is free records the replacement
    assertThat(replacement(id, firstTask, Duration.ofSeconds(20)).getString("status")).isEqualTo("running");
  }
}
