package io.skypanel.controlplane.support;

import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.TestServers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The organization a PaaS test class works in, on the plan with the most room: its owner, a viewer, and a stranger
 * with an organization of their own (for the 404s). It makes environments whose worker runs a given image, so
 * one-off runs have that image's clients, and removes what the class left on the engine: add-ons first (their
 * removal releases the environments they were attached to), then services, then the organization's networks.
 * Used from a test class's {@code @BeforeAll} and {@code @AfterAll}, after {@link ApiTestBase} started the server.
 */
public final class PaasTenant {

  public final ApiClient.Session owner;
  public final ApiClient.Session viewer;
  public final ApiClient.Session stranger;
  public final String org;
  public final String strangerOrg;

  private PaasTenant(ApiClient.Session owner, ApiClient.Session viewer, ApiClient.Session stranger, String org, String strangerOrg) {
    this.owner = owner;
    this.viewer = viewer;
    this.stranger = stranger;
    this.org = org;
    this.strangerOrg = strangerOrg;
  }

  /** A new organization named after {@code name} (users and organizations get unique names). */
  public static PaasTenant create(String name) {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    ApiClient.Session owner = ApiTestBase.newUser(name + " Owner");
    ApiClient.Session viewer = ApiTestBase.newUser(name + " Viewer");
    ApiClient.Session stranger = ApiTestBase.newUser(name + " Stranger");
    String org = ApiTestBase.createOrganization(owner, name + " " + suffix).getString("id");
    String strangerOrg = ApiTestBase.createOrganization(stranger, "Other " + suffix).getString("id");
    ApiTestBase.addMember(owner, org, viewer, "viewer");
    TestServers.execute(ApiTestBase.server.database(),
        "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'performance') WHERE id = '" + org + "'");
    return new PaasTenant(owner, viewer, stranger, org, strangerOrg);
  }

  /** A call as {@code who} in this organization. */
  public HttpResponse<Buffer> as(ApiClient.Session who, HttpMethod method, String path, JsonObject body) {
    return ApiTestBase.call(method, path, who.token(), org, body);
  }

  /** The body of a response that must have {@code status} (null when it has none). */
  public static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response.body() == null || response.body().length() == 0 ? null : response.bodyAsJsonObject();
  }

  /** A new app; its id and its production environment's id. */
  public String[] app(String name) {
    JsonObject app = ok(as(owner, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", name)), 201);
    return new String[] {app.getString("id"), app.getJsonArray("environments").getJsonObject(0).getString("id")};
  }

  /** A new environment of {@code appId}; its id. */
  public String environment(String appId, String name) {
    return ok(as(owner, HttpMethod.POST, "/api/paas/apps/" + appId + "/environments", new JsonObject().put("name", name)), 201)
        .getString("id");
  }

  /** Deploys {@code image} to the environment with one {@code worker} process that only sleeps. */
  public void runWorker(String environmentId, String image) {
    ok(as(owner, HttpMethod.POST, "/api/paas/environments/" + environmentId + "/deploy", new JsonObject().put("image_ref", image)
        .put("process_types", new JsonObject().put("worker", "sleep 3600"))), 201);
    // the formation answers with an array (the process types), so only its status is checked
    HttpResponse<Buffer> scaled = as(owner, HttpMethod.PATCH, "/api/paas/environments/" + environmentId + "/formation",
        new JsonObject().put("updates", new JsonArray().add(new JsonObject().put("type", "worker").put("quantity", 1))));
    assertThat(scaled.statusCode()).as(scaled.bodyAsString()).isEqualTo(200);
  }

  /** Asks for an add-on of {@code plan} in the environment (202 asserted); its body. */
  public JsonObject createAddon(String environmentId, String plan, String name) {
    return ok(as(owner, HttpMethod.POST, "/api/paas/environments/" + environmentId + "/addons",
        new JsonObject().put("plan", plan).put("name", name)), 202);
  }

  /** The add-on once it has {@code status}; fails as soon as it is {@code failed}. */
  public JsonObject awaitAddon(String id, String status, Duration wait) {
    return Eventually.await("add-on " + id + " " + status, wait, () -> {
      JsonObject addon = ok(as(owner, HttpMethod.GET, "/api/paas/addons/" + id, null), 200);
      assertThat(addon.getString("status")).as(addon.encode()).isNotEqualTo("failed");
      return status.equals(addon.getString("status")) ? addon : null;
    });
  }

  /** Runs {@code command} as a one-off run of the environment; the ended run. */
  public JsonObject run(String environmentId, String command, Duration wait) {
    String id = ok(as(owner, HttpMethod.POST, "/api/paas/environments/" + environmentId + "/runs",
        new JsonObject().put("command", command)), 201).getString("id");
    return Eventually.await("run " + id + " ended", wait, () -> {
      JsonObject run = ok(as(owner, HttpMethod.GET, "/api/paas/runs/" + id, null), 200);
      return run.getString("finished_at") != null ? run : null;
    });
  }

  /** Runs until a run succeeds (tasks rolled onto a new release connect only once the rollout is done); its output. */
  public String eventuallySucceeds(String environmentId, String command, Duration wait) {
    return Eventually.await("a run of " + command + " succeeds", wait, () -> {
      JsonObject run = run(environmentId, command, wait);
      return "succeeded".equals(run.getString("status")) ? run.getString("output") : null;
    });
  }

  /**
   * Removes what the class left: the reconciler (still running) tears down add-ons marked deprovisioning (without a
   * final backup) and containers marked deleting, as for deleted ones; then the organization's networks go.
   */
  public void removeLeftovers(Duration wait) throws InterruptedException {
    TestServers.execute(ApiTestBase.server.database(),
        "UPDATE paas_addons SET status = 'deprovisioning', skip_final_backup = true WHERE organization_id = '" + org + "'");
    Eventually.await("the add-ons' volumes gone", wait, () -> TestImages.docker("volume", "ls", "-q", "--filter",
        "label=skypanel.org=" + org, "--filter", "label=skypanel.addon").isBlank() ? true : null);
    TestServers.execute(ApiTestBase.server.database(), "UPDATE paas_containers SET status = 'deleting' WHERE organization_id = '" + org + "'");
    Eventually.await("the organization's services gone", wait, () ->
        TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.org=" + org).isBlank() ? true : null);
    TestImages.removeOrganizationNetworks(UUID.fromString(org));
  }
}
