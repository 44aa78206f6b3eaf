package io.skypanel.controlplane.paas;

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

/** The add-on catalog and its administration. */
class AddonPlansApiTest extends ApiTestBase {

  private static String adminToken;
  private static ApiClient.Session customer;

  @BeforeAll
  static void sessions() {
    adminToken = await(api.login(ControlPlaneServer.ADMIN_EMAIL, ControlPlaneServer.ADMIN_PASSWORD));
    customer = newUser("Catalog Customer");
  }

  @Test
  void the_catalog_lists_the_seeded_active_plans_with_their_sizing() {
    HttpResponse<Buffer> listed = call(HttpMethod.GET, "/api/paas/addon-plans", customer.token(), null);
    assertThat(listed.statusCode()).as(listed.bodyAsString()).isEqualTo(200);
    JsonArray plans = listed.bodyAsJsonObject().getJsonArray("data");
    JsonObject mini = plans.stream().map(JsonObject.class::cast).filter(p -> "postgresql-mini".equals(p.getString("slug"))).findFirst().orElseThrow();
    assertThat(mini.getString("service")).isEqualTo("postgresql");
    assertThat(mini.getString("version")).isEqualTo("15");
    assertThat(mini.getInteger("memory_mb")).isEqualTo(256);
    assertThat(mini.getInteger("backup_retention_days")).isEqualTo(7);
    assertThat(mini.getDouble("price_hourly")).isPositive();
  }

  @Test
  void an_admin_creates_retires_and_deletes_a_plan_and_customers_may_not() {
    String slug = "pg-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject input = new JsonObject().put("service", "postgresql").put("slug", slug).put("name", "PG test").put("version", "15")
        .put("memory_mb", 128).put("cpu", 0.25).put("price_hourly", 0.001);
    assertThat(call(HttpMethod.POST, "/api/admin/addon-plans", customer.token(), input).statusCode()).isEqualTo(403);
    assertThat(errorCode(call(HttpMethod.POST, "/api/admin/addon-plans", adminToken, input.copy().put("service", "oracle")), 422))
        .isEqualTo("unknown_service");
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/admin/addon-plans", adminToken, input);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String path = "/api/admin/addon-plans/" + created.bodyAsJsonObject().getString("id");
    assertThat(errorCode(call(HttpMethod.POST, "/api/admin/addon-plans", adminToken, input), 409)).isEqualTo("slug_taken");
    HttpResponse<Buffer> retired = call(HttpMethod.PATCH, path, adminToken, new JsonObject().put("active", false));
    assertThat(retired.statusCode()).as(retired.bodyAsString()).isEqualTo(200);
    assertThat(call(HttpMethod.GET, "/api/paas/addon-plans", customer.token(), null).bodyAsString()).doesNotContain(slug);
    assertThat(call(HttpMethod.GET, "/api/admin/addon-plans", adminToken, null).bodyAsString()).contains(slug);
    assertThat(call(HttpMethod.DELETE, path, adminToken, null).statusCode()).isEqualTo(204);
    assertThat(call(HttpMethod.GET, path, adminToken, null).statusCode()).isEqualTo(404);
  }
}
