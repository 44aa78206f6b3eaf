package io.skypanel.controlplane.paas;

import io.skypanel.common.metrics.Metrics;
import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.PaasTenant;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Release safety of PaaS processes against the real Swarm engine: a process of any type whose new release fails takes
 * the whole environment back to the previous release, a release phase survives a control-plane restart, and the
 * reconciler converges an environment's processes after a removed service, a killed task and a restart.
 */
class ReleaseSafetyTest extends ApiTestBase {

  private static final Duration CONVERGE = Duration.ofSeconds(180);
  private static final String WEB = "httpd -f -p $PORT -h /var/www";
  private static final String WORKER = "sleep 3600";

  private static ApiClient.Session owner;
  private static String org;
  private static PaasTenant tenant;
  private static String image;
  private static String other;

  @BeforeAll
  static void organizationWithRoom() {
    image = TestImages.digestOf(TestImages.envPrinter("paas-v1", "paas v1", "GREETING"));
    other = TestImages.digestOf(TestImages.envPrinter("paas-v2", "paas v2", "GREETING"));
    tenant = PaasTenant.create("Safety");
    owner = tenant.owner;
    org = tenant.org;
  }

  @AfterAll
  static void removeLeftovers() throws InterruptedException {
    if (org == null) {
      return;
    }
    // the reconciler (still running) tears down what the tests left, as for a deleted app
    tenant.removeLeftovers(CONVERGE);
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response.body() == null || response.body().length() == 0 ? new JsonObject() : response.bodyAsJsonObject();
  }

  private static JsonObject send(HttpMethod method, String path, JsonObject body, int status) {
    return ok(call(method, path, owner.token(), org, body), status);
  }

  private static JsonObject environment(String id) {
    return send(HttpMethod.GET, "/api/paas/environments/" + id, null, 200);
  }

  private static JsonObject release(String environmentId, int version) {
    return send(HttpMethod.GET, "/api/paas/environments/" + environmentId + "/releases/" + version, null, 200);
  }

  private static JsonObject process(JsonObject environment, String type) {
    return environment.getJsonArray("processes").stream().map(JsonObject.class::cast).filter(p -> type.equals(p.getString("type")))
        .findFirst().orElse(null);
  }

  private static JsonObject deploy(String environmentId, String imageRef, JsonObject processTypes) {
    return send(HttpMethod.POST, "/api/paas/environments/" + environmentId + "/deploy",
        new JsonObject().put("image_ref", imageRef).put("port", 8080).put("process_types", processTypes), 201);
  }

  /** Swarm services matching every filter (docker service ls --filter …). */
  private static List<String> services(String... filters) {
    String[] args = new String[3 + 2 * filters.length];
    args[0] = "service";
    args[1] = "ls";
    args[2] = "-q";
    for (int i = 0; i < filters.length; i++) {
      args[3 + 2 * i] = "--filter";
      args[4 + 2 * i] = filters[i];
    }
    return Arrays.stream(TestImages.docker(args).trim().split("\\s+")).filter(id -> !id.isBlank()).toList();
  }

  /** The one Swarm service of a process type (asserting there is never a second). */
  private static String serviceOf(String environmentId, String type) {
    List<String> ids = services("label=skypanel.environment=" + environmentId, "label=skypanel.process=" + type);
    assertThat(ids).as("services of the %s process", type).hasSizeLessThanOrEqualTo(1);
    return ids.isEmpty() ? null : ids.get(0);
  }

  private static String inspect(String serviceId, String format) {
    return TestImages.docker("service", "inspect", "--format", format, serviceId).trim();
  }

  private static List<String> runningTasks(String serviceId) {
    return Arrays.stream(TestImages.docker("service", "ps", "-q", "--filter", "desired-state=running", serviceId).trim().split("\\s+"))
        .filter(id -> !id.isBlank()).toList();
  }

  /** The environment once each of {@code types} runs one task of release {@code releaseId} and the environment is running. */
  private static JsonObject runningOn(String environmentId, String releaseId, String... types) {
    return Eventually.await("environment " + environmentId + " running release " + releaseId, CONVERGE, () -> {
      JsonObject env = environment(environmentId);
      for (String type : types) {
        JsonObject p = process(env, type);
        if (p == null || !"running".equals(p.getString("status")) || p.getInteger("running") != 1 || !releaseId.equals(p.getString("release_id"))) {
          return null;
        }
      }
      return "running".equals(env.getString("status")) ? env : null;
    });
  }

  /** An app whose v1 runs one web and one worker process. */
  private static String appWithWebAndWorker(String name) {
    JsonObject app = send(HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", name), 201);
    String envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    JsonObject v1 = deploy(envId, image, new JsonObject().put("web", WEB).put("worker", WORKER));
    HttpResponse<Buffer> scaled = call(HttpMethod.PATCH, "/api/paas/environments/" + envId + "/formation", owner.token(), org,
        new JsonObject().put("updates", new JsonArray().add(new JsonObject().put("type", "worker").put("quantity", 1))));
    assertThat(scaled.statusCode()).as(scaled.bodyAsString()).isEqualTo(200);
    runningOn(envId, v1.getString("id"), "web", "worker");
    return envId;
  }

  private static JsonObject awaitRelease(String environmentId, int version, String status) {
    return Eventually.await("release v" + version + " " + status, CONVERGE, () -> {
      JsonObject r = release(environmentId, version);
      return status.equals(r.getString("status")) ? r : null;
    });
  }

  @Test
  void a_worker_crashing_on_its_new_release_fails_it_and_takes_every_process_back_to_the_previous_release() {
    String envId = appWithWebAndWorker("crashy");
    String v1 = release(envId, 1).getString("id");

    JsonObject v2 = deploy(envId, other, new JsonObject().put("web", WEB).put("worker", "echo starting; exit 1"));
    assertThat(v2.getString("status")).isEqualTo("succeeded");

    JsonObject failed = awaitRelease(envId, 2, "failed");
    assertThat(failed.getString("status_reason")).contains("worker process of v2").contains("rolled back to v1");
    assertThat(failed.getBoolean("current")).isFalse();
    // the web process had gone to v2 (it is healthy); it must run v1 again with the worker: one live release
    JsonObject env = runningOn(envId, v1, "web", "worker");
    assertThat(env.getInteger("current_release")).isEqualTo(1);
    assertThat(process(env, "web").getString("image_ref")).isEqualTo(image);
    assertThat(process(env, "worker").getString("command")).isEqualTo(WORKER);
    String web = serviceOf(envId, "web");
    String worker = serviceOf(envId, "worker");
    Eventually.await("the engine running v1 for both process types", CONVERGE, () ->
        inspect(web, "{{.Spec.TaskTemplate.ContainerSpec.Image}}").contains(image.substring("sha256:".length()))
            && inspect(worker, "{{json .Spec.TaskTemplate.ContainerSpec.Args}}").contains(WORKER)
            && runningTasks(web).size() == 1 && runningTasks(worker).size() == 1 ? true : null);
    // and it stays that way: a failed release does not come back on the next sweeps
    assertThat(release(envId, 1).getBoolean("current")).isTrue();
  }

  @Test
  void a_process_service_removed_out_of_band_is_recreated_once() {
    String envId = appWithWebAndWorker("orphan");
    String v1 = release(envId, 1).getString("id");
    String removed = serviceOf(envId, "worker");

    TestImages.docker("service", "rm", removed);

    Eventually.await("a new worker service", CONVERGE, () -> {
      String now = serviceOf(envId, "worker");
      return now != null && !now.equals(removed) ? now : null;
    });
    runningOn(envId, v1, "web", "worker");
    assertThat(serviceOf(envId, "worker")).isNotEqualTo(removed);
  }

  @Test
  void a_killed_process_task_is_replaced_and_the_process_runs_again() {
    String envId = appWithWebAndWorker("killed");
    String v1 = release(envId, 1).getString("id");
    String worker = serviceOf(envId, "worker");
    String task = runningTasks(worker).get(0);
    String taskContainer = TestImages.docker("ps", "-q", "--filter", "label=com.docker.swarm.task.id=" + task).trim();
    assertThat(taskContainer).isNotBlank();

    TestImages.docker("kill", taskContainer);

    Eventually.await("a replacement worker task", CONVERGE, () -> {
      List<String> tasks = runningTasks(worker);
      return tasks.size() == 1 && !tasks.contains(task) ? true : null;
    });
    runningOn(envId, v1, "web", "worker");
    assertThat(serviceOf(envId, "worker")).isEqualTo(worker);
  }

  @Test
  void after_a_restart_release_phases_are_finished_and_processes_converge() {
    // A: its release command ends while the control plane is down; B: its release task is removed meanwhile,
    // and so is its web service
    String envA = appWithWebAndWorker("resumed");
    String envB = appWithWebAndWorker("interrupted");
    String v1B = release(envB, 1).getString("id");
    JsonObject v2A = deploy(envA, other, new JsonObject().put("web", WEB).put("worker", WORKER).put("release", "sleep 2; echo migrated"));
    JsonObject v2B = deploy(envB, other, new JsonObject().put("web", WEB).put("worker", WORKER).put("release", "sleep 600"));
    assertThat(v2A.getString("status")).isEqualTo("pending");
    String phaseA = Eventually.await("release task of A", CONVERGE, () -> services("name=r-" + v2A.getString("id")).stream().findFirst().orElse(null));
    String phaseB = Eventually.await("release task of B", CONVERGE, () -> services("name=r-" + v2B.getString("id")).stream().findFirst().orElse(null));
    String webB = serviceOf(envB, "web");

    await(server.halt());
    Eventually.await("A's release task complete while the control plane is down", CONVERGE, () ->
        TestImages.docker("service", "ps", "--format", "{{.CurrentState}}", phaseA).startsWith("Complete") ? true : null);
    TestImages.docker("service", "rm", phaseB, webB);
    server = await(server.startAgain(new Metrics()));
    api.close();
    api = new ApiClient(server.platform().vertx(), server.port());

    // A: the outcome the task left is read, the release goes live, its task is removed
    JsonObject finished = awaitRelease(envA, 2, "succeeded");
    assertThat(finished.getJsonObject("release_phase").getString("output")).contains("migrated");
    assertThat(finished.getJsonObject("release_phase").getInteger("exit_code")).isZero();
    runningOn(envA, v2A.getString("id"), "web", "worker");
    Eventually.await("A's release task removed", CONVERGE, () -> services("name=r-" + v2A.getString("id")).isEmpty() ? true : null);

    // B: a vanished release task is not run again: the release fails saying why and v1 stays live; its web is recreated
    JsonObject failed = awaitRelease(envB, 2, "failed");
    assertThat(failed.getString("status_reason")).contains("no longer exists").contains("deploy again");
    JsonObject env = runningOn(envB, v1B, "web", "worker");
    assertThat(env.getInteger("current_release")).isEqualTo(1);
    assertThat(serviceOf(envB, "web")).isNotEqualTo(webB);
    assertThat(services("name=r-" + v2B.getString("id"))).isEmpty();
  }
}
