package io.skypanel.controlplane.paas;

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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A PostgreSQL add-on through the API against the real Swarm engine: provisioning, one-off runs that connect with
 * the delivered credentials, resize, out-of-band removal, rotation, tenancy and network isolation, deletion. One org
 * and app per class; the app's release image is the add-on image itself, so its runs have {@code psql}. Ordered:
 * later tests use the data and the credentials earlier ones left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AddonsApiTest extends ApiTestBase {

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
  private static PaasTenant tenant;

  @BeforeAll
  static void provisionedPostgres() {
    tenant = PaasTenant.create("Addons");
    owner = tenant.owner;
    viewer = tenant.viewer;
    stranger = tenant.stranger;
    org = tenant.org;
    strangerOrg = tenant.strangerOrg;
    String[] app = tenant.app("shop");
    appId = app[0];
    envId = app[1];
    tenant.runWorker(envId, POSTGRES_IMAGE);
    JsonObject addon = tenant.createAddon(envId, "postgresql-mini", "main-db");
    assertThat(addon.getString("status")).isEqualTo("provisioning");
    addonId = addon.getString("id");
  }

  @AfterAll
  static void removeLeftovers() throws InterruptedException {
    if (tenant != null) {
      tenant.removeLeftovers(CONVERGE);
    }
  }

  static HttpResponse<Buffer> as(ApiClient.Session who, String organization, HttpMethod method, String path, JsonObject body) {
    return call(method, path, who.token(), organization, body);
  }

  static JsonObject ok(HttpResponse<Buffer> response, int status) {
    return PaasTenant.ok(response, status);
  }

  static JsonObject awaitAddon(ApiClient.Session who, String organization, String id, String status) {
    return Eventually.await("add-on " + id + " " + status, CONVERGE, () -> {
      JsonObject addon = ok(as(who, organization, HttpMethod.GET, "/api/paas/addons/" + id, null), 200);
      assertThat(addon.getString("status")).as(addon.encode()).isNotEqualTo("failed");
      return status.equals(addon.getString("status")) ? addon : null;
    });
  }

  /** Runs {@code command} as a one-off run of the environment; the ended run. */
  static JsonObject run(ApiClient.Session who, String organization, String environment, String command) {
    String id = ok(as(who, organization, HttpMethod.POST, "/api/paas/environments/" + environment + "/runs",
        new JsonObject().put("command", command)), 201).getString("id");
    return Eventually.await("run " + id + " ended", CONVERGE, () -> {
      JsonObject run = ok(as(who, organization, HttpMethod.GET, "/api/paas/runs/" + id, null), 200);
      return run.getString("finished_at") != null ? run : null;
    });
  }

  /** A run that must succeed; its output. */
  static String succeeds(String environment, String command) {
    JsonObject run = run(owner, org, environment, command);
    assertThat(run.getString("status")).as(run.encode()).isEqualTo("succeeded");
    return run.getString("output");
  }

  /** Runs until the environment's tasks (rolled onto a new release) connect: a rollout is not instant. */
  static String eventuallySucceeds(String environment, String command) {
    return Eventually.await("a run of " + command + " succeeds", CONVERGE, () -> {
      JsonObject run = run(owner, org, environment, command);
      return "succeeded".equals(run.getString("status")) ? run.getString("output") : null;
    });
  }

  @Test
  @Order(1)
  void postgres_becomes_available_and_a_run_connects_with_the_url_and_the_url_file() {
    JsonObject addon = awaitAddon(owner, org, addonId, "available");
    assertThat(addon.getString("config_var")).isEqualTo("DATABASE_URL");
    assertThat(addon.getString("config_var_file")).isEqualTo("/run/secrets/DATABASE_URL");
    assertThat(addon.getJsonArray("attachments")).containsExactly(envId);
    assertThat(addon.encode()).doesNotContain("postgres://").doesNotContain("password");
    // the catalog shows the plans, viewers read, viewers cannot provision
    JsonArray plans = ok(as(viewer, org, HttpMethod.GET, "/api/paas/addon-plans", null), 200).getJsonArray("data");
    assertThat(plans.stream().map(p -> ((JsonObject) p).getString("service")).distinct()).contains("postgresql", "mysql", "redis");
    assertThat(ok(as(viewer, org, HttpMethod.GET, "/api/paas/apps/" + appId + "/addons", null), 200).getJsonArray("data")).hasSize(1);
    assertThat(as(viewer, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/addons", new JsonObject().put("plan", "redis-mini"))
        .statusCode()).isEqualTo(403);

    assertThat(eventuallySucceeds(envId, "psql \"$DATABASE_URL\" -tAc 'select 1'")).isEqualTo("1");
    assertThat(succeeds(envId, "psql \"$(cat \"$DATABASE_URL_FILE\")\" -tAc 'select 2'")).isEqualTo("2");
    succeeds(envId, "psql \"$DATABASE_URL\" -c 'create table kept (v text)' -c \"insert into kept values ('row')\"");
  }

  @Test
  @Order(2)
  void env_credentials_off_leaves_only_the_secret_file() {
    ok(as(owner, org, HttpMethod.PATCH, "/api/paas/environments/" + envId, new JsonObject().put("addon_env_credentials", false)), 200);
    assertThat(Eventually.await("no plain DATABASE_URL", CONVERGE, () -> {
      String out = run(owner, org, envId, "echo \"url=${DATABASE_URL:-none}\"; psql \"$(cat \"$DATABASE_URL_FILE\")\" -tAc 'select 3'")
          .getString("output");
      return out.startsWith("url=none") ? out : null;
    })).endsWith("3");
    ok(as(owner, org, HttpMethod.PATCH, "/api/paas/environments/" + envId, new JsonObject().put("addon_env_credentials", true)), 200);
  }

  @Test
  @Order(3)
  void resize_keeps_the_data_and_another_kind_of_plan_is_refused() {
    assertThat(errorCode(as(owner, org, HttpMethod.PATCH, "/api/paas/addons/" + addonId, new JsonObject().put("plan", "redis-mini")), 422))
        .isEqualTo("plan_service_mismatch");
    JsonObject resized = ok(as(owner, org, HttpMethod.PATCH, "/api/paas/addons/" + addonId, new JsonObject().put("plan", "postgresql-basic")), 200);
    assertThat(resized.getJsonObject("plan").getInteger("memory_mb")).isEqualTo(512);
    Eventually.await("the service runs with 512 MB", CONVERGE, () -> TestImages.docker("service", "inspect", "--format",
        "{{.Spec.TaskTemplate.Resources.Limits.MemoryBytes}}", "addon-" + addonId).trim().equals(Long.toString(512L * 1024 * 1024)) ? true : null);
    assertThat(eventuallySucceeds(envId, "psql \"$DATABASE_URL\" -tAc 'select v from kept'")).isEqualTo("row");
    awaitAddon(owner, org, addonId, "available");
  }

  @Test
  @Order(4)
  void a_service_removed_out_of_band_comes_back_on_its_volume() {
    String before = TestImages.docker("service", "inspect", "--format", "{{.ID}}", "addon-" + addonId).trim();
    TestImages.docker("service", "rm", "addon-" + addonId);
    Eventually.await("the add-on's service re-created", CONVERGE, () -> {
      String now = TestImages.dockerResult("service", "inspect", "--format", "{{.ID}}", "addon-" + addonId).out().trim();
      return !now.isEmpty() && !now.equals(before) ? now : null;
    });
    assertThat(eventuallySucceeds(envId, "psql \"$DATABASE_URL\" -tAc 'select v from kept'")).isEqualTo("row");
    // only now: before the reconciler's next pass the status may still be the one from before the removal
    awaitAddon(owner, org, addonId, "available");
  }

  @Test
  @Order(5)
  void rotation_refuses_the_old_password_and_the_new_release_connects() {
    String oldUrl = succeeds(envId, "echo \"$DATABASE_URL\"");
    JsonObject rotated = ok(as(owner, org, HttpMethod.POST, "/api/paas/addons/" + addonId + "/credentials/rotate", null), 200);
    assertThat(rotated.encode()).doesNotContain("postgres://");
    awaitAddon(owner, org, addonId, "available");
    Eventually.await("the new release carries a new URL", CONVERGE, () -> {
      String url = run(owner, org, envId, "echo \"$DATABASE_URL\"").getString("output");
      return url != null && url.startsWith("postgres") && !url.equals(oldUrl) ? url : null;
    });
    assertThat(eventuallySucceeds(envId, "psql \"$DATABASE_URL\" -tAc 'select v from kept'")).isEqualTo("row");
    JsonObject refused = run(owner, org, envId, "psql '" + oldUrl + "' -tAc 'select 1'");
    assertThat(refused.getString("status")).as(refused.encode()).isEqualTo("failed");
    assertThat(refused.getString("output")).contains("password authentication failed");
    JsonArray releases = ok(as(viewer, org, HttpMethod.GET, "/api/paas/environments/" + envId + "/releases", null), 200).getJsonArray("data");
    assertThat(releases.getJsonObject(0).getString("description")).contains("Rotate credentials");
  }

  @Test
  @Order(6)
  void an_organization_with_an_addon_cannot_be_deleted() throws InterruptedException {
    PaasTenant lone = PaasTenant.create("Lone Addon");
    try {
      // an add-on and nothing else: no container or volume row would stop the deletion
      String environment = lone.app("data-only")[1];
      lone.createAddon(environment, "postgresql-mini", "only-db");
      HttpResponse<Buffer> refused = lone.as(lone.owner, HttpMethod.DELETE, "/api/organizations/" + lone.org, null);
      assertThat(errorCode(refused, 409)).isEqualTo("organization_not_empty");
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("add-ons");
      assertThat(lone.as(lone.owner, HttpMethod.GET, "/api/organizations/" + lone.org, null).statusCode()).isEqualTo(200);
    } finally {
      lone.removeLeftovers(CONVERGE);
    }
  }

  @Test
  @Order(6)
  void other_organizations_get_404_and_the_network_holds_only_the_addon_and_its_consumers() {
    String base = "/api/paas/addons/" + addonId;
    assertThat(as(stranger, strangerOrg, HttpMethod.GET, base, null).statusCode()).isEqualTo(404);
    assertThat(as(stranger, strangerOrg, HttpMethod.GET, "/api/paas/environments/" + envId + "/addons", null).statusCode()).isEqualTo(404);
    assertThat(as(stranger, strangerOrg, HttpMethod.GET, "/api/paas/apps/" + appId + "/addons", null).statusCode()).isEqualTo(404);
    assertThat(as(stranger, strangerOrg, HttpMethod.POST, base + "/attachments", new JsonObject().put("environment_id", envId)).statusCode())
        .isEqualTo(404);
    assertThat(as(stranger, strangerOrg, HttpMethod.DELETE, base, null).statusCode()).isEqualTo(404);
    // org B's own environment cannot be attached to org A's add-on, nor can another app's environment of org A
    JsonObject strangerApp = ok(as(stranger, strangerOrg, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", "thief")), 201);
    String strangerEnv = strangerApp.getJsonArray("environments").getJsonObject(0).getString("id");
    assertThat(as(owner, org, HttpMethod.POST, base + "/attachments", new JsonObject().put("environment_id", strangerEnv)).statusCode()).isEqualTo(404);
    JsonObject otherApp = ok(as(owner, org, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", "other")), 201);
    String otherAppEnv = otherApp.getJsonArray("environments").getJsonObject(0).getString("id");
    assertThat(as(owner, org, HttpMethod.POST, base + "/attachments", new JsonObject().put("environment_id", otherAppEnv)).statusCode())
        .isEqualTo(404);

    String services = TestImages.docker("network", "inspect", "--verbose", "--format", "{{range $name, $s := .Services}}{{$name}} {{end}}",
        "skypanel-addon-" + addonId).trim();
    assertThat(services).contains("addon-" + addonId);
    for (String name : Arrays.stream(services.split("\\s+")).filter(s -> !s.isBlank() && !s.equals("addon-" + addonId)).toList()) {
      assertThat(TestImages.docker("service", "inspect", "--format", "{{index .Spec.Labels \"skypanel.org\"}} {{index .Spec.Labels \"skypanel.environment\"}}",
          name).trim()).as(name).isEqualTo(org + " " + envId);
    }
    assertThat(TestImages.docker("network", "inspect", "--format", "{{.Internal}} {{index .Labels \"skypanel.org\"}}",
        "skypanel-addon-" + addonId).trim()).isEqualTo("true " + org);
    assertThat(TestImages.docker("service", "inspect", "--format", "{{json .Endpoint.Ports}}", "addon-" + addonId).trim()).isIn("null", "[]");
  }

  @Test
  @Order(7)
  void attaching_a_second_environment_of_the_app_gives_it_the_url_and_detaching_takes_it_away() {
    JsonObject staging = ok(as(owner, org, HttpMethod.POST, "/api/paas/apps/" + appId + "/environments", new JsonObject().put("name", "staging")), 201);
    String stagingId = staging.getString("id");
    ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + stagingId + "/deploy", new JsonObject().put("image_ref", POSTGRES_IMAGE)
        .put("process_types", new JsonObject().put("worker", "sleep 3600"))), 201);
    JsonObject attached = ok(as(owner, org, HttpMethod.POST, "/api/paas/addons/" + addonId + "/attachments",
        new JsonObject().put("environment_id", stagingId)), 201);
    assertThat(attached.getString("config_var")).isEqualTo("DATABASE_URL");
    assertThat(ok(as(viewer, org, HttpMethod.GET, "/api/paas/addons/" + addonId + "/attachments", null), 200).getJsonArray("data")).hasSize(2);
    assertThat(eventuallySucceeds(stagingId, "psql \"$DATABASE_URL\" -tAc 'select v from kept'")).isEqualTo("row");
    assertThat(as(owner, org, HttpMethod.DELETE, "/api/paas/addons/" + addonId + "/attachments/" + stagingId, null).statusCode()).isEqualTo(204);
    assertThat(succeeds(stagingId, "echo \"url=${DATABASE_URL:-none}\"")).isEqualTo("url=none");
  }

  @Test
  @Order(8)
  void deleting_removes_service_network_volume_and_secrets() {
    assertThat(as(viewer, org, HttpMethod.DELETE, "/api/paas/addons/" + addonId, null).statusCode()).isEqualTo(403);
    JsonObject deleting = ok(as(owner, org, HttpMethod.DELETE, "/api/paas/addons/" + addonId + "?skip_final_backup=true", null), 202);
    assertThat(deleting.getString("status")).isEqualTo("deprovisioning");
    Eventually.await("the add-on gone", CONVERGE, () ->
        as(owner, org, HttpMethod.GET, "/api/paas/addons/" + addonId, null).statusCode() == 404 ? true : null);
    assertThat(TestImages.dockerResult("service", "inspect", "addon-" + addonId).code()).isNotZero();
    assertThat(TestImages.dockerResult("network", "inspect", "skypanel-addon-" + addonId).code()).isNotZero();
    assertThat(TestImages.dockerResult("volume", "inspect", "skypanel-addon-" + addonId).code()).isNotZero();
    assertThat(TestImages.docker("secret", "ls", "-q", "--filter", "label=skypanel.addon=" + addonId).trim()).isEmpty();
  }
}
