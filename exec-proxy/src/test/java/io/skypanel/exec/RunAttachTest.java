package io.skypanel.exec;

import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Interactive one-off runs of a PaaS environment ({@code heroku run}), attached through the exec proxy's WebSocket. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunAttachTest extends ExecTestBase {

  private static String app;
  private static String environment;

  @BeforeAll
  static void deployedEnvironment() {
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/paas/apps", owner.token(), org, new JsonObject().put("name", "console-jobs"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    app = created.bodyAsJsonObject().getString("id");
    environment = created.bodyAsJsonObject().getJsonArray("environments").getJsonObject(0).getString("id");
    // a worker scaled to 0: a live release and no process running
    HttpResponse<Buffer> deployed = call(HttpMethod.POST, "/api/paas/environments/" + environment + "/deploy", owner.token(), org,
        new JsonObject().put("image_ref", TestImages.digestOf(TestImages.busybox()))
            .put("process_types", new JsonObject().put("worker", "sleep 3600")));
    assertThat(deployed.statusCode()).as(deployed.bodyAsString()).isEqualTo(201);
  }

  /** Deleted through the API (before the base class's cleanup), so the reconciler does not put its process back. */
  @AfterAll
  static void deleteApp() {
    if (app != null) {
      assertThat(call(HttpMethod.DELETE, "/api/paas/apps/" + app, owner.token(), org, null).statusCode()).isEqualTo(204);
      Eventually.await("the app's services removed", CONVERGE, () -> TestImages.docker("service", "ls", "-q", "--filter",
          "label=skypanel.environment=" + environment).isBlank() ? true : null);
    }
  }

  /** Starts an interactive run as the developer and waits until its task runs. */
  private static String runningInteractiveRun(String command) {
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/paas/environments/" + environment + "/runs", developer.token(), org,
        new JsonObject().put("command", command).put("attach", true));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String id = created.bodyAsJsonObject().getString("id");
    awaitRun(id, "running");
    return id;
  }

  private static JsonObject awaitRun(String id, String status) {
    return Eventually.await("run " + id + " " + status, CONVERGE, () -> {
      JsonObject run = call(HttpMethod.GET, "/api/paas/runs/" + id, owner.token(), org, null).bodyAsJsonObject();
      return status.equals(run.getString("status")) ? run : null;
    });
  }

  private static String attach(String runId) {
    return "/api/paas/runs/" + runId + "/attach";
  }

  @Test
  void an_interactive_run_answers_typed_input_ends_with_its_command_and_is_audited_with_its_run(Vertx vertx) {
    String runId = runningInteractiveRun("read x; echo got:$x; exit 4");
    ConsoleClient console = ConsoleClient.connect(vertx, replicaA, attach(runId) + "?cols=80&rows=24", developer.token(), org);

    // one session per run
    UpgradeRejectedException second = ConsoleClient.refused(vertx, replicaA, attach(runId), developer.token(), org);
    assertThat(second.getStatus()).isEqualTo(409);
    assertThat(new JsonObject(second.getBody()).getJsonObject("error").getString("code")).isEqualTo("run_attached");

    console.type("hello\n");
    console.awaitOutput("got:hello\r\n", WAIT);
    ConsoleClient.Closed done = console.awaitClose(WAIT);
    assertThat(done.code()).isEqualTo((short) 4004);
    assertThat(done.exit().getInteger("exit_code")).isEqualTo(4);

    Map<String, Object> row = closedAuditRow(done.exit().getString("session_id"));
    assertThat(row.get("run_id")).isEqualTo(runId);
    assertThat(row.get("container_id")).isNull();
    assertThat(row.get("status")).isEqualTo("completed");
    assertThat(row.get("exit_code")).isEqualTo(4);
    assertThat(row.get("tty")).isEqualTo(true);
    assertThat(row.get("user_id")).isEqualTo(developer.userId());
    assertThat(row.get("command")).isEqualTo("/bin/sh -c read x; echo got:$x; exit 4");
    assertThat(row.get("bytes_in")).isEqualTo((long) "hello\n".length());
    assertThat(row.get("has_transcript")).isEqualTo(true);

    JsonObject ended = awaitRun(runId, "failed");
    assertThat(ended.getInteger("exit_code")).isEqualTo(4);
    Eventually.await("the run's service removed", CONVERGE, () ->
        TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.run=" + runId).isBlank() ? true : null);
    UpgradeRejectedException afterwards = ConsoleClient.refused(vertx, replicaA, attach(runId), developer.token(), org);
    assertThat(afterwards.getStatus()).isEqualTo(409);
  }

  @Test
  void only_developers_of_the_organization_attach_and_only_to_interactive_runs(Vertx vertx) {
    String runId = runningInteractiveRun("cat");
    assertThat(ConsoleClient.refused(vertx, replicaA, attach(runId), viewer.token(), org).getStatus()).isEqualTo(403);
    assertThat(ConsoleClient.refused(vertx, replicaA, attach(runId), outsider.token(), outsider.personalOrganizationId()).getStatus())
        .isEqualTo(404);
    assertThat(ConsoleClient.refused(vertx, replicaA, attach(runId), null, org).getStatus()).isEqualTo(401);
    // a ticket for the run opens the run, never a container's console
    HttpResponse<Buffer> ticket = exec(replicaA, HttpMethod.POST, attach(runId) + "/ticket", developer.token(), org, null);
    assertThat(ticket.statusCode()).as(ticket.bodyAsString()).isEqualTo(201);
    assertThat(ConsoleClient.refused(vertx, replicaA, "/api/caas/containers/" + runId + "/console?ticket=" + ticket.bodyAsJsonObject()
        .getString("ticket"), null, org).getStatus()).isEqualTo(401);

    HttpResponse<Buffer> batch = call(HttpMethod.POST, "/api/paas/environments/" + environment + "/runs", developer.token(), org,
        new JsonObject().put("command", "sleep 600"));
    String batchId = batch.bodyAsJsonObject().getString("id");
    awaitRun(batchId, "running");
    UpgradeRejectedException notInteractive = ConsoleClient.refused(vertx, replicaA, attach(batchId), developer.token(), org);
    assertThat(notInteractive.getStatus()).isEqualTo(409);
    assertThat(new JsonObject(notInteractive.getBody()).getJsonObject("error").getString("code")).isEqualTo("run_not_interactive");

    for (String id : new String[] {runId, batchId}) {
      assertThat(call(HttpMethod.DELETE, "/api/paas/runs/" + id, developer.token(), org, null).statusCode()).isEqualTo(200);
    }
  }
}
