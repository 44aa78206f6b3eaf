package io.skypanel.controlplane.paas.builds;

import io.skypanel.common.metrics.Metrics;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A build a stopped control plane left queued or building (its lease expired, or a row from before leases) is failed
 * by the lease sweeper when the next control plane starts, saying why; never left hanging.
 */
class BuildRestartTest extends ApiTestBase {

  @Test
  void builds_left_unfinished_by_a_stopped_control_plane_are_failed_by_the_lease_sweeper_at_start() {
    ApiClient.Session owner = newUser("Restart Owner");
    String org = owner.personalOrganizationId();
    JsonObject app = call(HttpMethod.POST, "/api/paas/apps", owner.token(), org, new JsonObject().put("name", "restarted")).bodyAsJsonObject();
    String envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    // stopped first: a running control plane's sweeper would fail these rows before the restart does
    await(server.halt());
    String values = "'" + org + "', '" + app.getString("id") + "', '" + envId + "', 'upload', ";
    TestServers.execute(server.database(), "INSERT INTO paas_builds (organization_id, app_id, environment_id, origin, status, started_at,"
        + " lease_owner, lease_expires_at) VALUES (" + values + "'building', now(), 'cp-stopped', now() - interval '1 second'), ("
        + values + "'queued', NULL, NULL, NULL)");
    assertThat(server.text("SELECT count(*) FROM paas_builds WHERE status IN ('queued', 'building')")).isEqualTo("2");

    server = await(server.startAgain(new Metrics()));
    api.close();
    api = new ApiClient(server.platform().vertx(), server.port());

    JsonObject page = call(HttpMethod.GET, "/api/paas/apps/" + app.getString("id") + "/builds", owner.token(), org, null).bodyAsJsonObject();
    assertThat(page.getJsonArray("data")).hasSize(2).allSatisfy(item -> {
      JsonObject build = (JsonObject) item;
      assertThat(build.getString("status")).isEqualTo("failed");
      assertThat(build.getString("status_reason")).isEqualTo(BuildQueue.LEASE_EXPIRED);
      assertThat(build.getString("finished_at")).isNotNull();
    });
  }
}
