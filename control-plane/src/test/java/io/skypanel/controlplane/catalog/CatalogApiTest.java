package io.skypanel.controlplane.catalog;

import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.ControlPlaneServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The customer catalog and its administration by platform administrators. */
class CatalogApiTest extends ApiTestBase {

  private static String adminToken;

  @BeforeAll
  static void loginAsTheConfiguredAdmin() {
    // the server was started with SKYPANEL_ADMIN_EMAIL/PASSWORD; the account exists only because of them
    adminToken = await(api.login(ControlPlaneServer.ADMIN_EMAIL, ControlPlaneServer.ADMIN_PASSWORD));
  }

  private static JsonObject planInput(String slug) {
    return new JsonObject().put("slug", slug).put("name", "Test " + slug).put("price_hourly", 0.05).put("cpu", 1.5).put("memory_mb", 2048);
  }

  @Test
  void customers_see_the_seeded_active_plans_and_locations() {
    ApiClient.Session user = newUser("Shopper");
    JsonArray plans = call(HttpMethod.GET, "/api/paas/plans", user.token(), null).bodyAsJsonObject().getJsonArray("data");
    assertThat(plans.size()).isGreaterThanOrEqualTo(3);
    assertThat(plans.stream().map(p -> ((JsonObject) p).getString("slug")).toList()).contains("hobby", "basic", "standard");
    assertThat(plans.stream().allMatch(p -> ((JsonObject) p).getBoolean("active"))).isTrue();

    JsonArray locations = call(HttpMethod.GET, "/api/paas/locations", user.token(), null).bodyAsJsonObject().getJsonArray("data");
    assertThat(locations.getJsonObject(0).getString("id")).isEqualTo("local");
  }

  @Test
  void the_catalog_needs_authentication() {
    assertThat(errorCode(call(HttpMethod.GET, "/api/paas/plans", null, null), 401)).isEqualTo("unauthorized");
  }

  @Test
  void an_admin_creates_updates_retires_and_deletes_a_plan() {
    ApiClient.Session user = newUser("Watcher");
    String slug = "t-" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/admin/paas/plans", adminToken, planInput(slug));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject plan = created.bodyAsJsonObject();
    assertThat(plan.getDouble("price_monthly")).isEqualTo(36.5);
    assertThat(plan.getInteger("edge_requests_per_second")).as("edge limits default").isEqualTo(200);
    assertThat(plan.getInteger("edge_max_connections")).isEqualTo(1000);
    assertThat(plan.getInteger("max_addons")).as("add-on quota default").isEqualTo(2);
    String path = "/api/admin/paas/plans/" + plan.getString("id");
    assertThat(call(HttpMethod.GET, "/api/paas/plans", user.token(), null).bodyAsString()).contains(slug);

    assertThat(errorCode(call(HttpMethod.POST, "/api/admin/paas/plans", adminToken, planInput(slug)), 409)).isEqualTo("slug_taken");

    HttpResponse<Buffer> retired = call(HttpMethod.PATCH, path, adminToken, new JsonObject().put("active", false).put("memory_mb", 4096)
        .put("edge_requests_per_second", 50).put("max_addons", 7));
    assertThat(retired.statusCode()).as(retired.bodyAsString()).isEqualTo(200);
    assertThat(retired.bodyAsJsonObject().getInteger("memory_mb")).isEqualTo(4096);
    assertThat(retired.bodyAsJsonObject().getInteger("edge_requests_per_second")).isEqualTo(50);
    assertThat(retired.bodyAsJsonObject().getInteger("edge_burst")).as("fields left out stay").isEqualTo(400);
    assertThat(retired.bodyAsJsonObject().getInteger("max_addons")).isEqualTo(7);
    assertThat(errorCode(call(HttpMethod.PATCH, path, adminToken, new JsonObject().put("max_addons", -1)), 400)).isNotBlank();
    assertThat(call(HttpMethod.GET, "/api/paas/plans", user.token(), null).bodyAsString()).doesNotContain(slug);
    assertThat(call(HttpMethod.GET, "/api/admin/paas/plans", adminToken, null).bodyAsString()).contains(slug);

    assertThat(call(HttpMethod.DELETE, path, adminToken, null).statusCode()).isEqualTo(204);
    assertThat(errorCode(call(HttpMethod.GET, path, adminToken, null), 404)).isEqualTo("not_found");
  }

  @Test
  void a_plan_in_use_cannot_be_deleted() {
    String slug = "u-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject plan = call(HttpMethod.POST, "/api/admin/paas/plans", adminToken, planInput(slug)).bodyAsJsonObject();
    ApiClient.Session customer = newUser("Subscriber");
    io.skypanel.common.testing.TestServers.execute(server.database(),
        "UPDATE organizations SET plan_id = '" + plan.getString("id") + "' WHERE id = '" + customer.personalOrganizationId() + "'");

    HttpResponse<Buffer> refused = call(HttpMethod.DELETE, "/api/admin/paas/plans/" + plan.getString("id"), adminToken, null);

    assertThat(errorCode(refused, 409)).isEqualTo("plan_in_use");
    assertThat(call(HttpMethod.GET, "/api/admin/paas/plans/" + plan.getString("id"), adminToken, null).statusCode()).isEqualTo(200);
  }

  @Test
  void admin_routes_are_forbidden_to_customers() {
    ApiClient.Session user = newUser("Curious");
    assertThat(errorCode(call(HttpMethod.GET, "/api/admin/users", user.token(), null), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.GET, "/api/admin/organizations", user.token(), null), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.POST, "/api/admin/paas/plans", user.token(), planInput("nope-plan")), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.GET, "/api/admin/users", null, null), 401)).isEqualTo("unauthorized");
  }

  @Test
  void an_admin_lists_users_and_organizations_platform_wide() {
    ApiClient.Session user = newUser("Listed");
    JsonObject users = call(HttpMethod.GET, "/api/admin/users?limit=100", adminToken, null).bodyAsJsonObject();
    assertThat(users.getJsonArray("data").stream().map(u -> ((JsonObject) u).getString("email")).toList())
        .contains(user.email(), ControlPlaneServer.ADMIN_EMAIL);
    JsonObject organizations = call(HttpMethod.GET, "/api/admin/organizations?limit=100", adminToken, null).bodyAsJsonObject();
    assertThat(organizations.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).toList())
        .contains(user.personalOrganizationId());
  }

  @Test
  void an_admin_write_is_recorded_without_an_organization() {
    long before = server.count("activity_logs");
    call(HttpMethod.POST, "/api/admin/paas/plans", adminToken, planInput("a-" + UUID.randomUUID().toString().substring(0, 8)));
    assertThat(server.count("activity_logs")).isEqualTo(before + 1);
  }
}
