package io.skypanel.controlplane.caas.edge;

import io.skypanel.common.events.Topics;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A container's edge settings through the API: defaults, merge and reset, validation, roles, tenancy, announcement. */
class EdgeSettingsApiTest extends ApiTestBase {

  private static ApiClient.Session owner;
  private static ApiClient.Session viewer;
  private static ApiClient.Session stranger;
  private static String org;
  private static String strangerOrg;
  private static String container;
  private static final CopyOnWriteArrayList<String> announced = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void containerRow() {
    owner = newUser("Edge Owner");
    viewer = newUser("Edge Viewer");
    stranger = newUser("Edge Stranger");
    org = createOrganization(owner, "Edge " + UUID.randomUUID().toString().substring(0, 6)).getString("id");
    strangerOrg = createOrganization(stranger, "Other " + UUID.randomUUID().toString().substring(0, 6)).getString("id");
    addMember(owner, org, viewer, "viewer");
    container = UUID.randomUUID().toString();
    // a stopped container row: edge settings never touch Swarm
    TestServers.execute(server.database(), "INSERT INTO paas_containers (id, organization_id, name, image_ref, cpu, memory_mb, status) VALUES ('"
        + container + "', '" + org + "', 'edge-web', 'skypanel-test/busybox:1', 0.1, 64, 'stopped')");
    await(server.platform().events().subscribe(Topics.ROUTES_CHANGED, event -> announced.add(event.getString("container_id"))));
  }

  private static HttpResponse<Buffer> patch(ApiClient.Session who, String organization, String id, JsonObject body) {
    return call(HttpMethod.PATCH, "/api/caas/containers/" + id + "/edge", who.token(), organization, body);
  }

  private static JsonObject read() {
    HttpResponse<Buffer> response = call(HttpMethod.GET, "/api/caas/containers/" + container + "/edge", viewer.token(), org, null);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  @Test
  void defaults_then_a_change_is_stored_announced_and_reset_by_null() {
    JsonObject defaults = read();
    assertThat(defaults.getBoolean("maintenance")).isFalse();
    assertThat(defaults.getBoolean("force_https")).isTrue();
    assertThat(defaults.containsKey("rate_limit_rps")).isTrue();
    assertThat(defaults.getValue("rate_limit_rps")).isNull();

    HttpResponse<Buffer> changed = patch(owner, org, container, new JsonObject().put("maintenance", true).put("rate_limit_rps", 20)
        .put("rate_limit_burst", 40).put("timeout_ms", 5000).put("health_check_path", "/healthz"));
    assertThat(changed.statusCode()).as(changed.bodyAsString()).isEqualTo(200);
    JsonObject now = read();
    assertThat(now.getBoolean("maintenance")).isTrue();
    assertThat(now.getInteger("rate_limit_rps")).isEqualTo(20);
    assertThat(now.getInteger("rate_limit_burst")).isEqualTo(40);
    assertThat(now.getString("health_check_path")).isEqualTo("/healthz");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!announced.contains(container) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(announced).as("edge routers are told to reload the container").contains(container);
    assertThat(server.count("activity_logs WHERE action = 'caas.container.edge.update'")).isPositive();

    HttpResponse<Buffer> reset = patch(owner, org, container, new JsonObject().putNull("rate_limit_burst").putNull("rate_limit_rps")
        .put("maintenance", false));
    assertThat(reset.statusCode()).as(reset.bodyAsString()).isEqualTo(200);
    JsonObject after = read();
    assertThat(after.getValue("rate_limit_rps")).isNull();
    assertThat(after.getBoolean("maintenance")).isFalse();
    assertThat(after.getInteger("timeout_ms")).as("fields left out stay").isEqualTo(5000);
  }

  @Test
  void rejects_a_burst_below_the_rate_or_without_one_and_changes_nothing() {
    JsonObject before = read();
    assertThat(errorCode(patch(owner, org, container, new JsonObject().put("rate_limit_rps", 50).put("rate_limit_burst", 10)), 422))
        .isEqualTo("invalid_edge_settings");
    assertThat(errorCode(patch(owner, org, container, new JsonObject().putNull("rate_limit_rps").put("rate_limit_burst", 10)), 422))
        .isEqualTo("invalid_edge_settings");
    assertThat(patch(owner, org, container, new JsonObject().put("timeout_ms", "soon")).statusCode()).isEqualTo(400);
    assertThat(patch(owner, org, container, new JsonObject().put("health_check_path", "no-slash")).statusCode()).isEqualTo(400);
    assertThat(read()).isEqualTo(before);
  }

  @Test
  void a_viewer_cannot_change_and_another_organization_gets_404() {
    assertThat(patch(viewer, org, container, new JsonObject().put("maintenance", true)).statusCode()).isEqualTo(403);
    assertThat(patch(stranger, strangerOrg, container, new JsonObject().put("maintenance", true)).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.GET, "/api/caas/containers/" + container + "/edge", stranger.token(), strangerOrg, null).statusCode())
        .isEqualTo(404);
    assertThat(patch(owner, org, UUID.randomUUID().toString(), new JsonObject().put("maintenance", true)).statusCode()).isEqualTo(404);
  }
}
