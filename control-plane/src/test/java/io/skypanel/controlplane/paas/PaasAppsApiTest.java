package io.skypanel.controlplane.paas;

import io.skypanel.common.gateway.EdgeGateway;
import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.TestGateway;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.PaasTenant;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.OverlayHttp;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** PaaS apps through the API against the real Swarm engine: releases, config, formation, release phase, tenancy, teardown. */
class PaasAppsApiTest extends ApiTestBase {

  private static final Duration CONVERGE = Duration.ofSeconds(120);
  private static final String WEB = "httpd -f -p $PORT -h /var/www";

  private static EdgeGateway gateway;
  private static int relayPort;
  private static ApiClient.Session owner;
  private static ApiClient.Session viewer;
  private static ApiClient.Session stranger;
  private static String org;
  private static PaasTenant tenant;
  private static String strangerOrg;
  private static String image;
  private static String other;

  @BeforeAll
  static void organizationWithRoom() {
    image = TestImages.digestOf(TestImages.envPrinter("paas-v1", "paas v1", "GREETING"));
    other = TestImages.digestOf(TestImages.envPrinter("paas-v2", "paas v2", "GREETING"));
    tenant = PaasTenant.create("Paas");
    owner = tenant.owner;
    viewer = tenant.viewer;
    stranger = tenant.stranger;
    org = tenant.org;
    strangerOrg = tenant.strangerOrg;
    gateway = TestGateway.create(server.platform().vertx(), server.platform().docker(), "paas-" + UUID.randomUUID().toString().substring(0, 8), Map.of());
    relayPort = Await.result(gateway.start()).getPort();
  }

  @AfterAll
  static void removeLeftovers() throws InterruptedException {
    if (gateway != null) {
      Await.result(gateway.remove());
    }
    if (org == null) {
      return;
    }
    // what a failed test left: the reconciler (still running) tears it down, as for a deleted app
    tenant.removeLeftovers(CONVERGE);
  }

  private static HttpResponse<Buffer> as(ApiClient.Session who, String organization, HttpMethod method, String path, JsonObject body) {
    return call(method, path, who.token(), organization, body);
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response.body() == null || response.body().length() == 0 ? new JsonObject() : response.bodyAsJsonObject();
  }

  private static JsonObject environment(String id) {
    return ok(as(owner, org, HttpMethod.GET, "/api/paas/environments/" + id, null), 200);
  }

  private static JsonObject process(JsonObject environment, String type) {
    return environment.getJsonArray("processes").stream().map(JsonObject.class::cast).filter(p -> type.equals(p.getString("type")))
        .findFirst().orElse(null);
  }

  /** The body the web process's every endpoint answers at {@code path}, once they all agree on {@code expected}. */
  private static String served(String environmentId, String path, String expected, int endpoints) {
    try {
      return serving(environmentId, path, expected, endpoints);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last seen: " + environment(environmentId).encode() + " answer: " + lastAnswer, e);
    }
  }

  private static volatile String lastAnswer;

  private static String serving(String environmentId, String path, String expected, int endpoints) {
    return Eventually.await("environment " + environmentId + " serving '" + expected + "' at " + path + " on " + endpoints + " endpoints", CONVERGE, () -> {
      JsonObject env = environment(environmentId);
      JsonObject web = process(env, "web");
      if (!"running".equals(env.getString("status")) || web == null || web.getJsonArray("endpoints").size() != endpoints) {
        return null;
      }
      Await.result(gateway.syncNetworks());
      for (Object item : web.getJsonArray("endpoints")) {
        JsonObject endpoint = (JsonObject) item;
        try {
          lastAnswer = OverlayHttp.get(relayPort, endpoint.getString("address"), endpoint.getInteger("port"), path).trim();
          if (!expected.equals(lastAnswer)) {
            return null;
          }
        } catch (IOException e) {
          lastAnswer = e.toString();
          return null;
        }
      }
      return expected;
    });
  }

  private static JsonObject release(String environmentId, int version) {
    return ok(as(owner, org, HttpMethod.GET, "/api/paas/environments/" + environmentId + "/releases/" + version, null), 200);
  }

  @Test
  void an_app_runs_releases_config_formation_and_rollback_and_leaves_nothing_when_deleted() {
    JsonObject app = ok(as(owner, org, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", "shop")), 201);
    String appId = app.getString("id");
    JsonObject production = app.getJsonArray("environments").getJsonObject(0);
    String envId = production.getString("id");
    assertThat(production.getString("name")).isEqualTo("production");
    assertThat(production.getString("default_domain")).startsWith("shop-").doesNotContain("production");
    assertThat(production.getString("status")).isEqualTo("pending");

    // a container cannot take the app's hostname (shop-<org slug>), nor another app the same name
    assertThat(errorCode(as(owner, org, HttpMethod.POST, "/api/caas/containers", new JsonObject().put("name", "shop").put("image_ref", image)), 409))
        .isEqualTo("hostname_taken");
    assertThat(errorCode(as(owner, org, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", "shop")), 409)).isEqualTo("name_taken");

    // v1: the image's web process answers on PORT with the (empty) config
    JsonObject v1 = ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy",
        new JsonObject().put("image_ref", image).put("port", 8080).put("process_types", new JsonObject().put("web", WEB))), 201);
    assertThat(v1.getInteger("version")).isEqualTo(1);
    assertThat(v1.getString("status")).isEqualTo("succeeded");
    assertThat(v1.getString("description")).isEqualTo("Deploy " + image);
    served(envId, "/cgi-bin/env", "GREETING=", 1);

    // v2: a config var is a new release, visible inside the app; viewers see the name only
    JsonObject config = ok(as(owner, org, HttpMethod.PATCH, "/api/paas/environments/" + envId + "/config", new JsonObject().put("GREETING", "hello")), 200);
    assertThat(config.getString("GREETING")).isEqualTo("hello");
    JsonObject v2 = release(envId, 2);
    assertThat(v2.getString("description")).isEqualTo("Set GREETING config vars");
    assertThat(v2.getJsonArray("config_vars")).containsExactly("GREETING");
    assertThat(v2.encode()).doesNotContain("hello");
    served(envId, "/cgi-bin/env", "GREETING=hello", 1);
    JsonObject masked = ok(as(viewer, org, HttpMethod.GET, "/api/paas/environments/" + envId + "/config", null), 200);
    assertThat(masked.getString("GREETING")).isNotEqualTo("hello");

    // v3: rolling back to v1 restores its image and its config
    JsonObject v3 = ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/releases/1/rollback", null), 201);
    assertThat(v3.getInteger("version")).isEqualTo(3);
    assertThat(v3.getString("description")).isEqualTo("Rollback to v1");
    assertThat(v3.getString("image_ref")).isEqualTo(image);
    assertThat(v3.getJsonArray("config_vars")).isEmpty();
    served(envId, "/cgi-bin/env", "GREETING=", 1);
    assertThat(ok(as(owner, org, HttpMethod.GET, "/api/paas/environments/" + envId + "/config", null), 200).fieldNames()).isEmpty();

    // v4: a new image with a worker; web 1 -> 3, worker 0 -> 1; the worker has no port, no hostname, no endpoint
    ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy", new JsonObject().put("image_ref", other)
        .put("process_types", new JsonObject().put("web", WEB).put("worker", "sleep 3600"))), 201);
    HttpResponse<Buffer> scaled = as(owner, org, HttpMethod.PATCH, "/api/paas/environments/" + envId + "/formation", new JsonObject().put("updates",
        new JsonArray().add(new JsonObject().put("type", "web").put("quantity", 3)).add(new JsonObject().put("type", "worker").put("quantity", 1))));
    assertThat(scaled.statusCode()).as(scaled.bodyAsString()).isEqualTo(200);
    assertThat(scaled.bodyAsJsonArray()).containsExactly(new JsonObject().put("type", "web").put("quantity", 3).put("size", "hobby"),
        new JsonObject().put("type", "worker").put("quantity", 1).put("size", "hobby"));
    served(envId, "/", "paas v2", 3);
    JsonObject worker = Eventually.await("worker running", CONVERGE, () -> {
      JsonObject w = process(environment(envId), "worker");
      return w != null && "running".equals(w.getString("status")) && w.getInteger("running") == 1 ? w : null;
    });
    assertThat(worker.getString("default_domain")).isNull();
    assertThat(worker.getJsonArray("endpoints")).isEmpty();
    assertThat(errorCode(as(owner, org, HttpMethod.PATCH, "/api/paas/environments/" + envId + "/formation", new JsonObject().put("updates",
        new JsonArray().add(new JsonObject().put("type", "web").put("quantity", 100)))), 422)).isEqualTo("quota_exceeded");

    // process workloads are not containers
    assertThat(ok(as(owner, org, HttpMethod.GET, "/api/caas/containers", null), 200).getJsonArray("data")).isEmpty();
    String workload = TestImages.docker("service", "ls", "--format", "{{.Name}}", "--filter", "label=skypanel.environment=" + envId).trim().split("\\s+")[0];
    assertThat(workload).startsWith("c-");
    errorCode(as(owner, org, HttpMethod.GET, "/api/caas/containers/" + workload.substring(2), null), 404);

    // v5: a failing release command keeps v4 live and says why
    JsonObject v5 = ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy", new JsonObject().put("image_ref", image)
        .put("process_types", new JsonObject().put("web", WEB).put("release", "echo migrating; exit 3"))), 201);
    assertThat(v5.getString("status")).isEqualTo("pending");
    JsonObject failed = Eventually.await("release v5 failed", CONVERGE, () -> {
      JsonObject r = release(envId, 5);
      return "failed".equals(r.getString("status")) ? r : null;
    });
    assertThat(failed.getString("status_reason")).contains("exited 3").contains("migrating");
    assertThat(failed.getJsonObject("release_phase").getInteger("exit_code")).isEqualTo(3);
    assertThat(environment(envId).getInteger("current_release")).isEqualTo(4);
    // the outcome is written before the release task is removed (so a restart never finds a pending release without it)
    Eventually.await("release v5's task removed", CONVERGE, () ->
        TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.release=" + v5.getString("id")).isBlank() ? true : null);
    served(envId, "/", "paas v2", 3);

    // deleting the app leaves no service or secret of it, and no workload row (hence no route)
    ok(as(owner, org, HttpMethod.DELETE, "/api/paas/apps/" + appId, null), 204);
    errorCode(as(owner, org, HttpMethod.GET, "/api/paas/apps/" + appId, null), 404);
    Eventually.await("the app's services gone", CONVERGE, () ->
        TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.environment=" + envId).isBlank() ? true : null);
    assertThat(TestImages.docker("secret", "ls", "-q", "--filter", "label=skypanel.environment=" + envId)).isBlank();
    errorCode(as(owner, org, HttpMethod.GET, "/api/paas/environments/" + envId, null), 404);
  }

  @Test
  void a_web_process_failing_its_health_check_rolls_back_and_fails_its_release() {
    String broken = TestImages.digestOf(TestImages.broken("paas-broken"));
    JsonObject app = ok(as(owner, org, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", "fragile")), 201);
    String envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy", new JsonObject().put("image_ref", image).put("port", 8080)), 201);
    served(envId, "/", "paas v1", 1);

    JsonObject v2 = ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy",
        new JsonObject().put("image_ref", broken)), 201);
    assertThat(v2.getString("status")).isEqualTo("succeeded");
    JsonObject failed = Eventually.await("release v2 failed by its health check", CONVERGE, () -> {
      JsonObject r = release(envId, 2);
      return "failed".equals(r.getString("status")) ? r : null;
    });
    assertThat(failed.getString("status_reason")).contains("health check").contains("rolled back");
    assertThat(environment(envId).getInteger("current_release")).isEqualTo(1);
    served(envId, "/", "paas v1", 1);
    ok(as(owner, org, HttpMethod.DELETE, "/api/paas/apps/" + app.getString("id"), null), 204);
  }

  @Test
  void another_organization_gets_404_and_a_viewer_403_on_every_app_path() {
    JsonObject app = ok(as(owner, org, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", "private")), 201);
    String appId = app.getString("id");
    String envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    ok(as(owner, org, HttpMethod.PATCH, "/api/paas/environments/" + envId + "/config", new JsonObject().put("SECRET", "s3cr3t")), 200);
    JsonObject staging = ok(as(owner, org, HttpMethod.POST, "/api/paas/apps/" + appId + "/environments", new JsonObject().put("name", "staging")), 201);
    assertThat(staging.getString("default_domain")).startsWith("private-staging-");

    record Call(HttpMethod method, String path, JsonObject body) {
    }
    String env = "/api/paas/environments/" + envId;
    List<Call> reads = List.of(new Call(HttpMethod.GET, "/api/paas/apps/" + appId, null),
        new Call(HttpMethod.GET, "/api/paas/apps/" + appId + "/environments", null), new Call(HttpMethod.GET, env, null),
        new Call(HttpMethod.GET, env + "/config", null), new Call(HttpMethod.GET, env + "/releases", null),
        new Call(HttpMethod.GET, env + "/releases/1", null), new Call(HttpMethod.GET, env + "/formation", null));
    List<Call> mutations = List.of(new Call(HttpMethod.PATCH, "/api/paas/apps/" + appId, new JsonObject().put("region", "default")),
        new Call(HttpMethod.DELETE, "/api/paas/apps/" + appId, null),
        new Call(HttpMethod.POST, "/api/paas/apps/" + appId + "/environments", new JsonObject().put("name", "review")),
        new Call(HttpMethod.PATCH, env, new JsonObject().put("name", "other")), new Call(HttpMethod.DELETE, env, null),
        new Call(HttpMethod.PATCH, env + "/config", new JsonObject().put("X", "1")),
        new Call(HttpMethod.POST, env + "/deploy", new JsonObject().put("image_ref", image)),
        new Call(HttpMethod.POST, env + "/releases/1/rollback", null),
        new Call(HttpMethod.PATCH, env + "/formation", new JsonObject().put("updates", new JsonArray().add(new JsonObject().put("type", "web")))),
        new Call(HttpMethod.POST, env + "/restart", new JsonObject()));
    for (Call c : reads) {
      assertThat(as(stranger, strangerOrg, c.method(), c.path(), c.body()).statusCode()).as("stranger %s %s", c.method(), c.path()).isEqualTo(404);
    }
    for (Call c : mutations) {
      HttpResponse<Buffer> foreign = as(stranger, strangerOrg, c.method(), c.path(), c.body());
      assertThat(foreign.statusCode()).as("stranger %s %s: %s", c.method(), c.path(), foreign.bodyAsString()).isEqualTo(404);
      HttpResponse<Buffer> viewed = as(viewer, org, c.method(), c.path(), c.body());
      assertThat(viewed.statusCode()).as("viewer %s %s: %s", c.method(), c.path(), viewed.bodyAsString()).isEqualTo(403);
    }
    assertThat(ok(as(viewer, org, HttpMethod.GET, env + "/config", null), 200).encode()).doesNotContain("s3cr3t");
    assertThat(ok(as(stranger, strangerOrg, HttpMethod.GET, "/api/paas/apps", null), 200).getJsonArray("data")).isEmpty();
  }
}
