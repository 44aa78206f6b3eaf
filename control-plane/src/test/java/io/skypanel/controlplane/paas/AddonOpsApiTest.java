package io.skypanel.controlplane.paas;

import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.TestServers;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations side of a PostgreSQL add-on through the API against the real Swarm engine: metrics (the engine's
 * stats and the server's own figures, asked inside its task), how its service is stopped, and quotas. One org, app
 * and provisioned add-on per class; the app's release image is the add-on image, so its one-off runs have psql.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AddonOpsApiTest extends ApiTestBase {

  static final Duration CONVERGE = Duration.ofSeconds(180);
  static final String POSTGRES_IMAGE = "skypanel/addon-postgres:15";

  private static ApiClient.Session owner;
  private static ApiClient.Session viewer;
  private static ApiClient.Session stranger;
  private static String org;
  private static String strangerOrg;
  private static String appId;
  private static String envId;
  private static String addonId;
  private static int metricsWhileProvisioning;
  private static String codeWhileProvisioning;
  private static PaasTenant tenant;

  @BeforeAll
  static void provisionedPostgres() {
    tenant = PaasTenant.create("Ops");
    owner = tenant.owner;
    viewer = tenant.viewer;
    stranger = tenant.stranger;
    org = tenant.org;
    strangerOrg = tenant.strangerOrg;
    String[] app = tenant.app("ops");
    appId = app[0];
    envId = app[1];
    tenant.runWorker(envId, POSTGRES_IMAGE);
    addonId = tenant.createAddon(envId, "postgresql-mini", "ops-db").getString("id");
    // no server runs yet: a provisioning add-on has no figures
    HttpResponse<Buffer> early = as(viewer, org, HttpMethod.GET, "/api/paas/addons/" + addonId + "/metrics", null);
    metricsWhileProvisioning = early.statusCode();
    codeWhileProvisioning = early.statusCode() == 409 ? early.bodyAsJsonObject().getJsonObject("error").getString("code") : early.bodyAsString();
  }

  @AfterAll
  static void removeLeftovers() throws InterruptedException {
    if (tenant != null) {
      tenant.removeLeftovers(CONVERGE);
    }
  }

  static HttpResponse<Buffer> as(ApiClient.Session who, String organization, HttpMethod method, String path, JsonObject body) {
    return AddonsApiTest.as(who, organization, method, path, body);
  }

  static JsonObject ok(HttpResponse<Buffer> response, int status) {
    return PaasTenant.ok(response, status);
  }

  static JsonObject metrics(ApiClient.Session who) {
    return ok(as(who, org, HttpMethod.GET, "/api/paas/addons/" + addonId + "/metrics", null), 200);
  }

  /** Starts a one-off run; its id (it goes on in the background). */
  static String startRun(String command) {
    return ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/runs", new JsonObject().put("command", command)), 201)
        .getString("id");
  }

  static JsonObject awaitRun(String id) {
    return Eventually.await("run " + id + " ended", CONVERGE, () -> {
      JsonObject run = ok(as(owner, org, HttpMethod.GET, "/api/paas/runs/" + id, null), 200);
      return run.getString("finished_at") != null ? run : null;
    });
  }

  @Test
  @Order(1)
  void metrics_count_a_held_connection_and_the_size_grows_with_rows() {
    assertThat(metricsWhileProvisioning).as(codeWhileProvisioning).isEqualTo(409);
    assertThat(codeWhileProvisioning).isEqualTo("addon_not_running");
    Eventually.await("add-on available", CONVERGE, () -> {
      JsonObject addon = ok(as(owner, org, HttpMethod.GET, "/api/paas/addons/" + addonId, null), 200);
      assertThat(addon.getString("status")).as(addon.encode()).isNotEqualTo("failed");
      return "available".equals(addon.getString("status")) ? addon : null;
    });
    JsonObject before = metrics(owner);
    assertThat(before.getString("addon_id")).isEqualTo(addonId);
    assertThat(before.getLong("memory_bytes")).isPositive();
    assertThat(before.getLong("memory_limit_bytes")).isEqualTo(256L * 1024 * 1024);
    assertThat(before.getDouble("cpu_percent")).isNotNegative();
    assertThat(before.getLong("size_bytes")).isPositive();

    // a run holds one connection for a while; the health check's own short sessions may add to it, never below one
    String holder = startRun("psql \"$DATABASE_URL\" -tAc 'select pg_sleep(90)'");
    JsonObject held = Eventually.await("the held connection counted", CONVERGE, () -> {
      JsonObject now = metrics(owner);
      return now.getLong("connections") >= 1 ? now : null;
    });
    assertThat(held.getLong("connections")).isGreaterThanOrEqualTo(1);

    JsonObject filled = awaitRun(startRun("psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1 -c "
        + "\"create table filler as select g, repeat('x', 500) as pad from generate_series(1, 20000) g\""));
    assertThat(filled.getString("status")).as(filled.encode()).isEqualTo("succeeded");
    JsonObject after = metrics(viewer);
    assertThat(after.getLong("size_bytes")).isGreaterThan(before.getLong("size_bytes") + 5_000_000L);
    assertThat(awaitRun(holder).getString("status")).isEqualTo("succeeded");
  }

  @Test
  @Order(2)
  void viewers_read_the_metrics_and_other_organizations_get_404() {
    JsonObject read = metrics(viewer);
    assertThat(read.fieldNames()).contains("memory_bytes", "memory_limit_bytes", "cpu_percent", "size_bytes", "connections");
    assertThat(read.encode()).doesNotContain("postgres://");
    assertThat(as(stranger, strangerOrg, HttpMethod.GET, "/api/paas/addons/" + addonId + "/metrics", null).statusCode()).isEqualTo(404);
    assertThat(as(stranger, org, HttpMethod.GET, "/api/paas/addons/" + addonId + "/metrics", null).statusCode()).isIn(403, 404);
    assertThat(as(owner, org, HttpMethod.GET, "/api/paas/addons/" + UUID.randomUUID() + "/metrics", null).statusCode()).isEqualTo(404);
  }

  @Test
  @Order(3)
  void postgres_stops_with_sigint_and_a_grace_period_long_enough_to_checkpoint() {
    String stop = TestImages.docker("service", "inspect", "--format",
        "{{.Spec.TaskTemplate.ContainerSpec.StopSignal}} {{.Spec.TaskTemplate.ContainerSpec.StopGracePeriod}}", "addon-" + addonId).trim();
    // the CLI prints the grace period as a Go duration
    assertThat(stop).isEqualTo("SIGINT 2m0s");
  }

  @Test
  @Order(4)
  void an_organization_at_its_addon_limit_gets_422_and_nothing_is_created_on_the_engine() {
    // a plan of this class's own database: one add-on, 256 MB per container
    TestServers.execute(server.database(), """
        INSERT INTO paas_plans (slug, name, price_hourly, price_monthly, cpu, memory_mb, disk_gb, max_replicas, max_apps, max_containers,
                                max_volumes, max_volume_gb, max_domains, max_addons, active)
        VALUES ('ops-limited', 'Ops limited', 0, 0, 4, 256, 10, 2, 5, 5, 5, 50, 5, 1, false)""");
    TestServers.execute(server.database(), "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'ops-limited') WHERE id = '" + org + "'");
    try {
      String servicesBefore = TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.org=" + org).trim();
      String volumesBefore = TestImages.docker("volume", "ls", "-q", "--filter", "label=skypanel.org=" + org).trim();
      JsonObject refused = ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/addons",
          new JsonObject().put("plan", "redis-mini").put("name", "one-too-many")), 422);
      assertThat(refused.getJsonObject("error").getString("code")).isEqualTo("quota_exceeded");
      assertThat(refused.getJsonObject("error").getJsonArray("details").getJsonObject(0).getString("rule")).isEqualTo("max_addons");
      // a resize past the plan's memory per container is refused too, and the service keeps its size
      JsonObject tooBig = ok(as(owner, org, HttpMethod.PATCH, "/api/paas/addons/" + addonId, new JsonObject().put("plan", "postgresql-basic")), 422);
      assertThat(tooBig.getJsonObject("error").getJsonArray("details").getJsonObject(0).getString("rule")).isEqualTo("memory_mb");
      JsonArray listed = ok(as(owner, org, HttpMethod.GET, "/api/paas/apps/" + appId + "/addons", null), 200).getJsonArray("data");
      assertThat(listed).hasSize(1);
      assertThat(listed.getJsonObject(0).getJsonObject("plan").getString("slug")).isEqualTo("postgresql-mini");
      assertThat(TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.org=" + org).trim()).isEqualTo(servicesBefore);
      assertThat(TestImages.docker("volume", "ls", "-q", "--filter", "label=skypanel.org=" + org).trim()).isEqualTo(volumesBefore);
      assertThat(TestImages.docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.Resources.Limits.MemoryBytes}}", "addon-" + addonId)
          .trim()).isEqualTo(Long.toString(256L * 1024 * 1024));
      JsonObject usage = ok(as(viewer, org, HttpMethod.GET, "/api/caas/usage", null), 200);
      assertThat(usage.getJsonObject("limits").getInteger("addons")).isEqualTo(1);
      assertThat(usage.getJsonObject("used").getLong("addons")).isEqualTo(1L);
    } finally {
      TestServers.execute(server.database(), "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'performance') WHERE id = '" + org + "'");
    }
  }
}
