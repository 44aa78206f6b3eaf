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
 * A task Swarm is about to stop (rolling restart, scale-down) must leave the stored routes before its stop signal,
 * which is the engine's first event about it.
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

  /** Each listed task's stop signal (the engine's "kill" event), as wall-clock nanoseconds, while it runs. */
  private static final class StopSignals implements AutoCloseable {
    private final Process events;
    private final java.util.Map<String, Long> killedAt = new java.util.concurrent.ConcurrentHashMap<>();

    StopSignals(String containerId) throws java.io.IOException {
      events = new ProcessBuilder(TestImages.DOCKER, "events", "--filter", "type=container", "--filter", "event=kill",
          "--filter", "label=skypanel.container=" + containerId,
          "--format", "{{index .Actor.Attributes \"com.docker.swarm.task.id\"}} {{.TimeNano}}").redirectErrorStream(true).start();
      Thread reader = new Thread(() -> {
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(events.getInputStream()))) {
          for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            String[] parts = line.trim().split(" ");
            if (parts.length == 2) {
              killedAt.putIfAbsent(parts[0], Long.parseLong(parts[1]));
            }
          }
        } catch (java.io.IOException | NumberFormatException e) {
          // the stream ends when the test closes it
        }
      }, "kill-events");
      reader.setDaemon(true);
      reader.start();
    }

    Long of(String taskId) {
      return killedAt.get(taskId);
    }

    @Override
    public void close() {
      events.destroy();
    }
  }

  private static java.util.Set<String> endpointTasks(String id) {
    return get(id).getJsonArray("endpoints").stream().map(e -> ((JsonObject) e).getString("task_id"))
        .collect(java.util.stream.Collectors.toSet());
  }

  /**
   * Polls the stored endpoints until {@code stops} tasks of {@code candidates} got their stop signal, and returns, for
   * each of those, by how many milliseconds a look that began before the signal already found it gone from the routes
   * (no such look: {@link Long#MIN_VALUE}).
   */
  private static java.util.Map<String, Long> routedMarginBeforeStop(String id, java.util.Set<String> candidates, int stops,
                                                                    StopSignals signals) {
    java.util.Map<String, Long> goneSeenAt = new java.util.HashMap<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (candidates.stream().filter(task -> signals.of(task) != null).count() < stops) {
      assertThat(System.nanoTime()).as(stops + " of " + candidates + " told to stop").isLessThan(deadline);
      java.time.Instant began = java.time.Instant.now();
      long beganNanos = began.getEpochSecond() * 1_000_000_000L + began.getNano();
      java.util.Set<String> routed = endpointTasks(id);
      candidates.stream().filter(task -> !routed.contains(task)).forEach(task -> goneSeenAt.putIfAbsent(task, beganNanos));
    }
    java.util.Map<String, Long> margins = new java.util.HashMap<>();
    candidates.stream().filter(task -> signals.of(task) != null).forEach(task -> {
      Long gone = goneSeenAt.get(task);
      margins.put(task, gone == null || gone > signals.of(task) ? Long.MIN_VALUE : (signals.of(task) - gone) / 1_000_000);
    });
    return margins;
  }

  @Test
  void replaced_and_surplus_tasks_leave_the_routes_before_they_are_told_to_stop() throws Exception {
    String id = runningContainer("dr-").getString("id");
    assertThat(Await.result(api.post("/api/caas/containers/" + id + "/scale", owner.token(), new JsonObject().put("replicas", 2)))
        .statusCode()).isEqualTo(202);
    java.util.Set<String> before = Eventually.await("two endpoints", Duration.ofSeconds(60), () -> {
      JsonObject c = get(id);
      return "running".equals(c.getString("status")) && c.getJsonArray("endpoints").size() == 2 ? endpointTasks(id) : null;
    });

    try (StopSignals signals = new StopSignals(id)) {
      // a rolling restart: Swarm starts each replacement, then stops an old task
      assertThat(Await.result(api.post("/api/caas/containers/" + id + "/restart", owner.token(), new JsonObject())).statusCode()).isEqualTo(202);
      java.util.Map<String, Long> restart = routedMarginBeforeStop(id, before, 2, signals);
      assertThat(restart.values()).as("ms between leaving the routes and the stop signal, per replaced task: " + restart)
          .allMatch(margin -> margin >= 0);

      java.util.Set<String> after = Eventually.await("two new endpoints", Duration.ofSeconds(60), () -> {
        java.util.Set<String> now = endpointTasks(id);
        return now.size() == 2 && java.util.Collections.disjoint(now, before) ? now : null;
      });
      // a scale-down: Swarm picks the task to stop; that one leaves the routes first
      assertThat(Await.result(api.post("/api/caas/containers/" + id + "/scale", owner.token(), new JsonObject().put("replicas", 1)))
          .statusCode()).isEqualTo(202);
      java.util.Map<String, Long> scaleDown = routedMarginBeforeStop(id, after, 1, signals);
      assertThat(scaleDown.values()).as("ms between leaving the routes and the stop signal, surplus task: " + scaleDown)
          .allMatch(margin -> margin >= 0);
      System.out.println("routes left before the stop signal by (ms): restart " + restart + ", scale-down " + scaleDown);
    }
  }
}
