package io.skypanel.controlplane.paas;

import io.skypanel.common.events.Topics;
import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.ChallengeDns;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An environment's edge features through the API, on the containers' own services: custom domains verified against a
 * real DNS server ({@link ChallengeDns}), edge settings, and per-process metrics of a web process running on the real
 * Swarm engine. Route announcements name the environment's web process, which the edge routes.
 */
@ExtendWith(ChallengeDns.class)
class EnvironmentEdgeApiTest extends ApiTestBase {

  private static final Duration CONVERGE = Duration.ofSeconds(120);
  private static final String WEB = "httpd -f -p $PORT -h /var/www";
  private static final Queue<String> ROUTE_CHANGES = new ConcurrentLinkedQueue<>();

  private static ApiClient.Session owner;
  private static ApiClient.Session viewer;
  private static ApiClient.Session stranger;
  private static String org;
  private static String strangerOrg;
  private static String envId;
  private static String strangerEnvId;
  private static String webWorkload;

  @BeforeAll
  static void anAppWithARunningWebProcess() {
    String image = TestImages.digestOf(TestImages.envPrinter("env-edge", "edge v1"));
    owner = newUser("Env Edge Owner");
    viewer = newUser("Env Edge Viewer");
    stranger = newUser("Env Edge Stranger");
    org = createOrganization(owner, "EnvEdge " + UUID.randomUUID().toString().substring(0, 6)).getString("id");
    strangerOrg = createOrganization(stranger, "Other " + UUID.randomUUID().toString().substring(0, 6)).getString("id");
    addMember(owner, org, viewer, "viewer");
    for (String id : List.of(org, strangerOrg)) {
      TestServers.execute(server.database(), "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'performance') WHERE id = '"
          + id + "'");
    }
    await(server.platform().events().subscribe(Topics.ROUTES_CHANGED, event -> ROUTE_CHANGES.add(event.getString("container_id"))));
    envId = ok(call(HttpMethod.POST, "/api/paas/apps", owner.token(), org, new JsonObject().put("name", "edgy")), 201)
        .getJsonArray("environments").getJsonObject(0).getString("id");
    strangerEnvId = ok(call(HttpMethod.POST, "/api/paas/apps", stranger.token(), strangerOrg, new JsonObject().put("name", "rival")), 201)
        .getJsonArray("environments").getJsonObject(0).getString("id");
    ok(call(HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy", owner.token(), org, new JsonObject().put("image_ref", image)
        .put("port", 8080).put("process_types", new JsonObject().put("web", WEB))), 201);
    Eventually.await("environment running", CONVERGE, () ->
        "running".equals(ok(call(HttpMethod.GET, "/api/paas/environments/" + envId, owner.token(), org, null), 200).getString("status")) ? true : null);
    webWorkload = server.text("SELECT id FROM paas_containers WHERE environment_id = '" + envId + "' AND process_type = 'web'");
  }

  @AfterAll
  static void removeLeftovers() throws InterruptedException {
    if (org == null) {
      return;
    }
    // the reconciler (still running) tears everything of the organizations down, as for deleted apps
    TestServers.execute(server.database(), "UPDATE paas_containers SET status = 'deleting' WHERE organization_id IN ('" + org + "', '" + strangerOrg + "')");
    try {
      Eventually.await("the organization's services gone", CONVERGE, () ->
          TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.org=" + org).isBlank() ? true : null);
    } catch (AssertionError e) {
      // removed below by label
    }
    for (String id : TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.org=" + org).split("\\s+")) {
      if (!id.isBlank()) {
        TestImages.dockerResult("service", "rm", id);
      }
    }
    TestImages.removeOrganizationNetworks(UUID.fromString(org));
    TestImages.removeOrganizationNetworks(UUID.fromString(strangerOrg));
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response.body() == null || response.body().length() == 0 ? new JsonObject() : response.bodyAsJsonObject();
  }

  private static String hostname(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + ".shop.example";
  }

  private static HttpResponse<Buffer> addDomain(ApiClient.Session who, String organization, String environment, String hostname) {
    return call(HttpMethod.POST, "/api/paas/environments/" + environment + "/domains", who.token(), organization,
        new JsonObject().put("hostname", hostname));
  }

  private static HttpResponse<Buffer> verify(ApiClient.Session who, String organization, String domainId) {
    return call(HttpMethod.POST, "/api/caas/domains/" + domainId + "/verify", who.token(), organization, null);
  }

  private static JsonObject verified(String hostname) {
    JsonObject domain = ok(addDomain(owner, org, envId, hostname), 201);
    ChallengeDns.setTxt(hostname, domain.getJsonObject("verification").getString("value"));
    try {
      return ok(verify(owner, org, domain.getString("id")), 200);
    } finally {
      ChallengeDns.clearTxt(hostname);
    }
  }

  private static void awaitRouteChange(String workload) {
    Eventually.await("routes.changed for " + workload, Duration.ofSeconds(10), () -> ROUTE_CHANGES.contains(workload) ? true : null);
  }

  private static long rowsFor(String hostname) {
    return server.count("paas_domains WHERE hostname = '" + hostname + "'");
  }

  @Test
  void an_environment_domain_is_added_verified_listed_announced_for_the_web_process_and_deleted() {
    String hostname = hostname("env");
    JsonObject domain = ok(addDomain(owner, org, envId, hostname), 201);
    assertThat(domain.getString("environment_id")).isEqualTo(envId);
    assertThat(domain.getValue("container_id")).isNull();
    assertThat(domain.getString("status")).isEqualTo("pending_verification");
    String domainId = domain.getString("id");
    assertThat(server.count("activity_logs WHERE action = 'paas.domain.create' AND target_id = '" + domainId + "'")).isEqualTo(1);

    assertThat(errorCode(verify(owner, org, domainId), 422)).isEqualTo("verification_failed");
    ROUTE_CHANGES.clear();
    ChallengeDns.setTxt(hostname, domain.getJsonObject("verification").getString("value"));
    JsonObject done = ok(verify(owner, org, domainId), 200);
    ChallengeDns.clearTxt(hostname);
    assertThat(done.getString("status")).isEqualTo("verified");
    awaitRouteChange(webWorkload);

    JsonArray listed = ok(call(HttpMethod.GET, "/api/paas/environments/" + envId + "/domains", viewer.token(), org, null), 200).getJsonArray("data");
    assertThat(listed.stream().map(d -> ((JsonObject) d).getString("hostname"))).contains(hostname);
    assertThat(ok(call(HttpMethod.GET, "/api/caas/domains/" + domainId, viewer.token(), org, null), 200).getString("environment_id"))
        .isEqualTo(envId);

    ROUTE_CHANGES.clear();
    ok(call(HttpMethod.DELETE, "/api/caas/domains/" + domainId, owner.token(), org, null), 204);
    assertThat(rowsFor(hostname)).isZero();
    awaitRouteChange(webWorkload);
    assertThat(server.count("activity_logs WHERE action = 'paas.domain.delete' AND target_id = '" + domainId + "'")).isEqualTo(1);
  }

  @Test
  void another_organization_gets_404_and_cannot_take_a_hostname_verified_here() {
    String hostname = hostname("claimed");
    JsonObject domain = verified(hostname);
    String path = "/api/paas/environments/" + envId;
    assertThat(errorCode(addDomain(stranger, strangerOrg, envId, hostname("foreign")), 404)).isEqualTo("not_found");
    assertThat(call(HttpMethod.GET, path + "/domains", stranger.token(), strangerOrg, null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.GET, path + "/edge", stranger.token(), strangerOrg, null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.PATCH, path + "/edge", stranger.token(), strangerOrg, new JsonObject().put("maintenance", true)).statusCode())
        .isEqualTo(404);
    assertThat(call(HttpMethod.GET, path + "/metrics", stranger.token(), strangerOrg, null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.GET, "/api/caas/domains/" + domain.getString("id"), stranger.token(), strangerOrg, null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.DELETE, "/api/caas/domains/" + domain.getString("id"), stranger.token(), strangerOrg, null).statusCode())
        .isEqualTo(404);
    // the rival organization's own environment cannot take the name either
    assertThat(errorCode(addDomain(stranger, strangerOrg, strangerEnvId, hostname), 409)).isEqualTo("hostname_taken");
    assertThat(errorCode(addDomain(owner, org, envId, hostname), 409)).isEqualTo("domain_exists");
    assertThat(rowsFor(hostname)).isEqualTo(1);
  }

  @Test
  void a_viewer_reads_but_cannot_add_domains_or_change_edge_settings() {
    String path = "/api/paas/environments/" + envId;
    assertThat(addDomain(viewer, org, envId, hostname("viewer")).statusCode()).isEqualTo(403);
    assertThat(call(HttpMethod.PATCH, path + "/edge", viewer.token(), org, new JsonObject().put("maintenance", true)).statusCode()).isEqualTo(403);
    assertThat(call(HttpMethod.GET, path + "/domains", viewer.token(), org, null).statusCode()).isEqualTo(200);
    assertThat(call(HttpMethod.GET, path + "/edge", viewer.token(), org, null).statusCode()).isEqualTo(200);
    assertThat(call(HttpMethod.GET, path + "/metrics", viewer.token(), org, null).statusCode()).isEqualTo(200);
  }

  @Test
  void edge_settings_are_stored_on_the_environment_announced_for_the_web_process_and_reset_by_null() {
    String path = "/api/paas/environments/" + envId + "/edge";
    JsonObject defaults = ok(call(HttpMethod.GET, path, viewer.token(), org, null), 200);
    assertThat(defaults.getBoolean("maintenance")).isFalse();
    assertThat(defaults.getBoolean("force_https")).isTrue();

    ROUTE_CHANGES.clear();
    JsonObject changed = ok(call(HttpMethod.PATCH, path, owner.token(), org, new JsonObject().put("maintenance", true).put("rate_limit_rps", 20)
        .put("timeout_ms", 5000)), 200);
    assertThat(changed.getBoolean("maintenance")).isTrue();
    JsonObject read = ok(call(HttpMethod.GET, path, viewer.token(), org, null), 200);
    assertThat(read.getInteger("rate_limit_rps")).isEqualTo(20);
    assertThat(read.getBoolean("maintenance")).isTrue();
    awaitRouteChange(webWorkload);
    assertThat(server.count("activity_logs WHERE action = 'paas.environment.edge.update' AND target_id = '" + envId + "'")).isPositive();
    assertThat(errorCode(call(HttpMethod.PATCH, path, owner.token(), org, new JsonObject().put("rate_limit_burst", 5)), 422))
        .isEqualTo("invalid_edge_settings");

    JsonObject reset = ok(call(HttpMethod.PATCH, path, owner.token(), org, new JsonObject().put("maintenance", false).putNull("rate_limit_rps")), 200);
    assertThat(reset.getBoolean("maintenance")).isFalse();
    assertThat(reset.getValue("rate_limit_rps")).isNull();
    assertThat(reset.getInteger("timeout_ms")).as("fields left out stay").isEqualTo(5000);
    // the container's settings are untouched: the web process row keeps its own defaults
    assertThat(server.count("paas_containers WHERE id = '" + webWorkload + "' AND maintenance = false AND edge_settings = '{}'::jsonb")).isEqualTo(1);
  }

  @Test
  void metrics_give_each_process_its_task_sample_and_the_edge_figures_metered_for_the_web_process() {
    // what the edge router's usage meter writes for the web process's hostnames
    TestServers.execute(server.database(), "INSERT INTO paas_usage (organization_id, resource_type, resource_id, metric, period_start, quantity) VALUES "
        + "('" + org + "', 'container', '" + webWorkload + "', 'requests', date_trunc('hour', now()), 7), "
        + "('" + org + "', 'container', '" + webWorkload + "', 'egress_bytes', date_trunc('hour', now()), 700), "
        + "('" + org + "', 'container', '" + webWorkload + "', 'requests', date_trunc('hour', now()) - interval '3 days', 1000)");
    JsonObject metrics = Eventually.await("a stats sample of the web process", CONVERGE, () -> {
      JsonObject m = ok(call(HttpMethod.GET, "/api/paas/environments/" + envId + "/metrics", viewer.token(), org, null), 200);
      JsonObject web = m.getJsonArray("processes").getJsonObject(0);
      return web.getJsonArray("tasks").isEmpty() ? null : m;
    });
    assertThat(metrics.getString("environment_id")).isEqualTo(envId);
    assertThat(metrics.getJsonArray("processes")).hasSize(1);
    JsonObject web = metrics.getJsonArray("processes").getJsonObject(0);
    assertThat(web.getString("type")).isEqualTo("web");
    assertThat(web.getInteger("quantity")).isEqualTo(1);
    JsonObject task = web.getJsonArray("tasks").getJsonObject(0);
    assertThat(task.getLong("memory_bytes")).isPositive();
    assertThat(task.getLong("memory_limit_bytes")).isPositive();
    assertThat(task.containsKey("cpu_percent")).isTrue();
    JsonObject edge = web.getJsonObject("edge");
    assertThat(edge.getInteger("window_hours")).isEqualTo(24);
    assertThat(edge.getLong("requests")).as("the hour of three days ago is outside the window").isEqualTo(7);
    assertThat(edge.getLong("egress_bytes")).isEqualTo(700);
    assertThat(edge.getJsonArray("hours")).hasSize(1);
  }

  @Test
  void deleting_the_app_removes_its_domains_at_once() {
    JsonObject app = ok(call(HttpMethod.POST, "/api/paas/apps", owner.token(), org, new JsonObject().put("name", "gone")), 201);
    String environment = app.getJsonArray("environments").getJsonObject(0).getString("id");
    String hostname = hostname("gone");
    JsonObject domain = ok(addDomain(owner, org, environment, hostname), 201);
    ChallengeDns.setTxt(hostname, domain.getJsonObject("verification").getString("value"));
    ok(verify(owner, org, domain.getString("id")), 200);
    ChallengeDns.clearTxt(hostname);

    ok(call(HttpMethod.DELETE, "/api/paas/apps/" + app.getString("id"), owner.token(), org, null), 204);
    assertThat(rowsFor(hostname)).isZero();
    assertThat(call(HttpMethod.GET, "/api/caas/domains/" + domain.getString("id"), owner.token(), org, null).statusCode()).isEqualTo(404);
    // the name is free again: another organization may claim it
    assertThat(addDomain(stranger, strangerOrg, strangerEnvId, hostname).statusCode()).isEqualTo(201);
  }

  @Test
  void the_same_idempotency_key_adds_a_domain_once() {
    String hostname = hostname("idempotent");
    String key = "env-add-" + UUID.randomUUID();
    JsonObject body = new JsonObject().put("hostname", hostname);
    HttpResponse<Buffer> first = await(api.request(HttpMethod.POST, "/api/paas/environments/" + envId + "/domains", owner.token())
        .putHeader("X-Organization-Id", org).putHeader("Idempotency-Key", key).sendJsonObject(body));
    HttpResponse<Buffer> second = await(api.request(HttpMethod.POST, "/api/paas/environments/" + envId + "/domains", owner.token())
        .putHeader("X-Organization-Id", org).putHeader("Idempotency-Key", key).sendJsonObject(body));
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
    assertThat(second.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(second.bodyAsJsonObject().getString("id")).isEqualTo(first.bodyAsJsonObject().getString("id"));
    assertThat(rowsFor(hostname)).isEqualTo(1);
  }
}
