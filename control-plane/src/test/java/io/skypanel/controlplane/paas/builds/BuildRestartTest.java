package io.skypanel.controlplane.paas.builds;

import io.skypanel.common.metrics.Metrics;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A build a stopped control plane left queued or building is failed at the next start, saying why; never left hanging. */
class BuildRestartTest extends ApiTestBase {

  @Test
  void builds_left_unfinished_by_a_stopped_control_plane_fail_at_start_with_the_reason() {
    ApiClient.Session owner = newUser("Restart Owner");
    String org = owner.personalOrganizationId();
    JsonObject app = call(HttpMethod.POST, "/api/paas/apps", owner.token(), org, new JsonObject().put("name", "restarted")).bodyAsJsonObject();
    String envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    String values = "'" + org + "', '" + app.getString("id") + "', '" + envId + "', 'upload', ";
    TestServers.execute(server.database(), "INSERT INTO paas_builds (organization_id, app_id, environment_id, origin, status, started_at) VALUES ("
        + values + "'building', now()), (" + values + "'queued', NULL)");
    assertThat(server.text("SELECT count(*) FROM paas_builds WHERE status IN ('queued', 'building')")).isEqualTo("2");

    await(server.halt());
    server = await(server.startAgain(new Metrics()));
    api.close();
    api = new ApiClient(server.platform().vertx(), server.port());

    JsonObject page = call(HttpMethod.GET, "/api/paas/apps/" + app.getString("id") + "/builds", owner.token(), org, null).bodyAsJsonObject();
    assertThat(page.getJsonArray("data")).hasSize(2).allSatisfy(item -> {
      JsonObject build = (JsonObject) item;
      assertThat(build.getString("status")).isEqualTo("failed");
      assertThat(build.getString("status_reason")).isEqualTo(BuildService.RESTARTED);
      assertThat(build.getString("finished_at")).isNotNull();
    });
  }
}
