package io.skypanel.controlplane.paas;

import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.PaasTenant;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** One-off runs of a PaaS environment through the API against the real Swarm engine. */
class PaasRunsApiTest extends ApiTestBase {

  private static final Duration CONVERGE = Duration.ofSeconds(120);

  private static ApiClient.Session owner;
  private static ApiClient.Session viewer;
  private static ApiClient.Session stranger;
  private static String org;
  private static PaasTenant tenant;
  private static String strangerOrg;
  private static String image;
  private static String envId;

  @BeforeAll
  static void deployedEnvironment() {
    image = TestImages.digestOf(TestImages.busybox());
    tenant = PaasTenant.create("Runs");
    owner = tenant.owner;
    viewer = tenant.viewer;
    stranger = tenant.stranger;
    org = tenant.org;
    strangerOrg = tenant.strangerOrg;
    JsonObject app = ok(as(owner, org, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", "jobs")), 201);
    envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    // a worker scaled to 0: the environment has a live release and no process running
    ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy", new JsonObject().put("image_ref", image)
        .put("process_types", new JsonObject().put("worker", "sleep 3600"))), 201);
    ok(as(owner, org, HttpMethod.PATCH, "/api/paas/environments/" + envId + "/config", new JsonObject().put("GREETING", "hi there")), 200);
  }

  @AfterAll
  static void removeLeftovers() throws InterruptedException {
    if (org == null) {
      return;
    }
    // the supervisor removes what a failed test left once its runs have ended
    TestServers.execute(server.database(), "UPDATE paas_runs SET status = 'cancelled', finished_at = now(), started_at = coalesce(started_at, now())"
        + " WHERE organization_id = '" + org + "' AND finished_at IS NULL");
    tenant.removeLeftovers(CONVERGE);
  }

  private static HttpResponse<Buffer> as(ApiClient.Session who, String organization, HttpMethod method, String path, JsonObject body) {
    return call(method, path, who.token(), organization, body);
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response.bodyAsJsonObject();
  }

  private static JsonObject start(JsonObject body) {
    JsonObject run = ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/runs", body), 201);
    assertThat(run.getString("status")).isEqualTo("starting");
    return run;
  }

  private static JsonObject run(String id) {
    return ok(as(owner, org, HttpMethod.GET, "/api/paas/runs/" + id, null), 200);
  }

  private static JsonObject awaitStatus(String id, String status) {
    return Eventually.await("run " + id + " " + status, CONVERGE, () -> {
      JsonObject run = run(id);
      return status.equals(run.getString("status")) ? run : null;
    });
  }

  private static void awaitServiceGone(String id) {
    Eventually.await("the service of run " + id + " removed", CONVERGE, () ->
        TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.run=" + id).isBlank() ? true : null);
  }

  @Test
  void a_run_returns_its_output_and_exit_code_with_the_release_config_and_its_service_goes() {
    JsonObject started = start(new JsonObject().put("command", "echo hello; echo \"greeting=$GREETING\"; exit 3"));
    assertThat(started.getBoolean("attach")).isFalse();
    assertThat(started.getString("size")).isEqualTo("hobby");

    JsonObject ended = awaitStatus(started.getString("id"), "failed");
    assertThat(ended.getInteger("exit_code")).isEqualTo(3);
    assertThat(ended.getString("output")).isEqualTo("hello\ngreeting=hi there");
    assertThat(ended.getString("started_at")).isNotNull();
    assertThat(ended.getString("finished_at")).isNotNull();
    awaitServiceGone(started.getString("id"));

    JsonObject succeeded = awaitStatus(start(new JsonObject().put("command", "echo done")).getString("id"), "succeeded");
    assertThat(succeeded.getInteger("exit_code")).isZero();
    assertThat(succeeded.getString("output")).isEqualTo("done");

    JsonObject page = ok(as(viewer, org, HttpMethod.GET, "/api/paas/environments/" + envId + "/runs?limit=1", null), 200);
    assertThat(page.getJsonArray("data")).hasSize(1);
    assertThat(page.getString("next_cursor")).isNotNull();
  }

  @Test
  void a_run_that_exceeds_its_timeout_ends_as_timeout_and_its_service_is_removed() {
    JsonObject started = start(new JsonObject().put("command", "echo begun; sleep 600").put("timeout_s", 3));
    JsonObject ended = awaitStatus(started.getString("id"), "timeout");
    assertThat(ended.getInteger("timeout_s")).isEqualTo(3);
    assertThat(ended.getString("status_reason")).contains("3 s");
    awaitServiceGone(started.getString("id"));
  }

  @Test
  void deleting_a_running_run_cancels_it_and_removes_its_service() {
    String id = start(new JsonObject().put("command", "sleep 600")).getString("id");
    awaitStatus(id, "running");
    JsonObject cancelled = ok(as(owner, org, HttpMethod.DELETE, "/api/paas/runs/" + id, null), 200);
    assertThat(cancelled.getString("status")).isEqualTo("cancelled");
    assertThat(cancelled.getString("finished_at")).isNotNull();
    awaitServiceGone(id);
    // stays cancelled: the supervisor does not turn the vanished service into a failure
    assertThat(run(id).getString("status")).isEqualTo("cancelled");
  }

  @Test
  void another_organization_gets_404_and_a_viewer_403_on_mutations() {
    String id = start(new JsonObject().put("command", "sleep 600")).getString("id");
    assertThat(errorCode(as(stranger, strangerOrg, HttpMethod.GET, "/api/paas/runs/" + id, null), 404)).isEqualTo("not_found");
    assertThat(errorCode(as(stranger, strangerOrg, HttpMethod.DELETE, "/api/paas/runs/" + id, null), 404)).isEqualTo("not_found");
    assertThat(errorCode(as(stranger, strangerOrg, HttpMethod.GET, "/api/paas/environments/" + envId + "/runs", null), 404)).isEqualTo("not_found");
    assertThat(errorCode(as(stranger, strangerOrg, HttpMethod.POST, "/api/paas/environments/" + envId + "/runs",
        new JsonObject().put("command", "id")), 404)).isEqualTo("not_found");

    assertThat(errorCode(as(viewer, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/runs",
        new JsonObject().put("command", "id")), 403)).isEqualTo("forbidden");
    assertThat(errorCode(as(viewer, org, HttpMethod.DELETE, "/api/paas/runs/" + id, null), 403)).isEqualTo("forbidden");
    assertThat(ok(as(viewer, org, HttpMethod.GET, "/api/paas/runs/" + id, null), 200).getString("status")).isIn("starting", "running");

    ok(as(owner, org, HttpMethod.DELETE, "/api/paas/runs/" + id, null), 200);
    awaitServiceGone(id);
  }

  @Test
  void a_run_is_refused_without_a_live_release_an_unknown_size_or_a_bad_timeout() {
    JsonObject app = ok(as(owner, org, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", "empty")), 201);
    String empty = app.getJsonArray("environments").getJsonObject(0).getString("id");
    assertThat(errorCode(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + empty + "/runs", new JsonObject().put("command", "id")), 409))
        .isEqualTo("no_live_release");
    assertThat(errorCode(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/runs",
        new JsonObject().put("command", "id").put("size", "no-such-plan")), 422)).isEqualTo("unknown_size");
    assertThat(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/runs",
        new JsonObject().put("command", "id").put("timeout_s", 0)).statusCode()).isEqualTo(400);
    assertThat(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/runs", new JsonObject()).statusCode()).isEqualTo(400);
    // nothing was written for the refused ones
    assertThat(ok(as(owner, org, HttpMethod.GET, "/api/paas/environments/" + empty + "/runs", null), 200).getJsonArray("data")).isEmpty();
    ok(as(owner, org, HttpMethod.DELETE, "/api/paas/apps/" + app.getString("id"), null), 204);
  }
}
