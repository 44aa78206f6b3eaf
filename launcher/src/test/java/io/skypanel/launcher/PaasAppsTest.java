package io.skypanel.launcher;

import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.ChallengeDns;
import io.skypanel.controlplane.support.TestImages;
import io.skypanel.launcher.support.LogCapture;
import io.skypanel.launcher.support.WholePlatform;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole platform in one process against the real engine: a PaaS app deployed from an image answers at its
 * environment's default hostname through the edge, a deploy and a rollback under a client loop fail no request, and
 * a deleted app leaves no service behind and no route at the edge. An environment's verified custom domain (checked
 * against a real DNS server, {@link ChallengeDns}) answers through the edge from whichever release is live, and its
 * maintenance mode makes the edge answer 503.
 */
@ExtendWith(ChallengeDns.class)
class PaasAppsTest {

  private static final Duration CONVERGE = Duration.ofSeconds(120);

  private static WholePlatform platform;
  private static ApiClient api;

  @BeforeAll
  static void start() throws IOException {
    platform = WholePlatform.builder("paas").baseDomain(ChallengeDns.BASE_DOMAIN)
        .set("SKYPANEL_DNS_SERVER", System.getProperty("SKYPANEL_DNS_SERVER")).start();
    api = platform.api();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (platform != null) {
      // removes what a failed test left behind, once the reconciler that would recreate it is stopped
      platform.close();
    }
  }

  private record Answer(int statusCode, String body) {
  }

  /** A new user whose personal organization is on the performance plan, remembered for cleanup. */
  private static ApiClient.Session owner(String name) {
    ApiClient.Session owner = platform.newUser(name);
    platform.usePlan(owner.personalOrganizationId(), "performance");
    return owner;
  }

  private static Answer viaEdge(String host) {
    WholePlatform.EdgeAnswer answer = platform.viaEdge(host);
    return new Answer(answer.statusCode(), answer.body().trim());
  }

  private static JsonObject call(ApiClient.Session session, HttpMethod method, String path, JsonObject body, int status) {
    var response = Await.result(api.send(method, path, session.token(), body));
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.bodyAsString()).isEqualTo(status);
    return response.body() == null || response.body().length() == 0 || response.bodyAsString().startsWith("[") ? new JsonObject()
        : response.bodyAsJsonObject();
  }

  /** The environment at that release, its web process running on {@code replicas} endpoints. */
  private static boolean settled(ApiClient.Session session, String envId, int version, int replicas) {
    JsonObject env = call(session, HttpMethod.GET, "/api/paas/environments/" + envId, null, 200);
    JsonObject webProcess = env.getJsonArray("processes").stream().map(JsonObject.class::cast)
        .filter(p -> "web".equals(p.getString("type"))).findFirst().orElse(null);
    return Integer.valueOf(version).equals(env.getInteger("current_release")) && "running".equals(env.getString("status"))
        && webProcess != null && webProcess.getJsonArray("endpoints").size() == replicas;
  }

  /** The task ids behind the web process's endpoints. */
  private static java.util.Set<String> webTasks(ApiClient.Session session, String envId) {
    JsonObject env = call(session, HttpMethod.GET, "/api/paas/environments/" + envId, null, 200);
    return env.getJsonArray("processes").stream().map(JsonObject.class::cast).filter(p -> "web".equals(p.getString("type")))
        .flatMap(p -> p.getJsonArray("endpoints").stream().map(JsonObject.class::cast)).map(e -> e.getString("task_id"))
        .collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void an_app_is_served_at_its_hostname_through_deploy_rollback_config_change_and_restart_without_a_failed_request_and_gone_once_deleted() {
    ApiClient.Session owner = platform.newUser("Paas Edge");
    String organization = owner.personalOrganizationId();
    platform.usePlan(organization, "performance");
    String v1 = TestImages.digestOf(TestImages.web("paas-edge-v1", "hello paas v1"));
    String v2 = TestImages.digestOf(TestImages.web("paas-edge-v2", "hello paas v2"));

    JsonObject app = call(owner, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", "blog"), 201);
    JsonObject production = app.getJsonArray("environments").getJsonObject(0);
    String envId = production.getString("id");
    String hostname = production.getString("default_domain");
    assertThat(hostname).startsWith("blog-").endsWith(".apps.skypanel.test");

    call(owner, HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy", new JsonObject().put("image_ref", v1).put("port", 8080), 201);
    call(owner, HttpMethod.PATCH, "/api/paas/environments/" + envId + "/formation",
        new JsonObject().put("updates", new JsonArray().add(new JsonObject().put("type", "web").put("quantity", 2))), 200);
    Eventually.await("v1 on two endpoints", CONVERGE, () -> settled(owner, envId, 1, 2) ? true : null);
    assertThat(Eventually.await("the hostname routed", Duration.ofSeconds(10), () -> {
      Answer answer = viaEdge(hostname);
      return answer.statusCode() == 200 ? answer.body() : null;
    })).isEqualTo("hello paas v1");

    // what the edge says about failed or repeated exchanges (every 502/504 and every repeat), and when each route
    // change reached it, to line any failure up with the endpoints routed at the time
    // (closed whatever happens: the loggers get their levels back for the next test classes)
    try (LogCapture edgeLog = new LogCapture("io.skypanel.edge.proxy", null, true);
         // the repeats are logged at DEBUG: lift that logger's level (its lines reach edgeLog through the parent)
         LogCapture retries = new LogCapture(io.skypanel.edge.proxy.UnansweredRetryInterceptor.class.getName(), ch.qos.logback.classic.Level.DEBUG, true);
         LogCapture routeChanges = new LogCapture(io.skypanel.edge.routing.RouteSync.class.getName(), ch.qos.logback.classic.Level.DEBUG, false)) {
      int[] total = {0};
      List<String> failures = new ArrayList<>();
      java.util.function.Predicate<BooleanSupplier> loopUntil = done -> {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (System.nanoTime() < deadline) {
          try {
            Answer answer = viaEdge(hostname);
            total[0]++;
            if (answer.statusCode() != 200) {
              failures.add(java.time.LocalTime.now() + " " + answer.statusCode() + " " + answer.body());
            }
          } catch (RuntimeException e) {
            total[0]++;
            failures.add(java.time.LocalTime.now() + " " + e.getMessage());
          }
          if (total[0] % 20 == 0 && done.getAsBoolean()) {
            return true;
          }
        }
        return false;
      };

      call(owner, HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy", new JsonObject().put("image_ref", v2), 201);
      assertThat(loopUntil.test(() -> settled(owner, envId, 2, 2) && "hello paas v2".equals(viaEdge(hostname).body())))
          .as("the deploy finished while the client looped").isTrue();
      call(owner, HttpMethod.POST, "/api/paas/environments/" + envId + "/releases/1/rollback", null, 201);
      assertThat(loopUntil.test(() -> settled(owner, envId, 3, 2) && "hello paas v1".equals(viaEdge(hostname).body())))
          .as("the rollback finished while the client looped").isTrue();
      // a config change is a new release (v4) rolled out start-first like a deploy
      call(owner, HttpMethod.PATCH, "/api/paas/environments/" + envId + "/config", new JsonObject().put("GREETING", "hi"), 200);
      assertThat(loopUntil.test(() -> settled(owner, envId, 4, 2) && "hello paas v1".equals(viaEdge(hostname).body())))
          .as("the config change finished while the client looped").isTrue();
      // a restart replaces every web task, one at a time, start-first
      java.util.Set<String> before = webTasks(owner, envId);
      assertThat(before).hasSize(2);
      call(owner, HttpMethod.POST, "/api/paas/environments/" + envId + "/restart", new JsonObject().put("type", "web"), 202);
      assertThat(loopUntil.test(() -> settled(owner, envId, 4, 2) && java.util.Collections.disjoint(before, webTasks(owner, envId))))
          .as("the restart finished while the client looped").isTrue();
      List<String> edgeLines = edgeLog.lines();
      List<String> routeLines = routeChanges.lines();
      System.out.println("PaaS deploy + rollback + config change + restart through the edge: " + total[0] + " requests, " + failures.size()
          + " failed; the edge logged " + edgeLines + "; " + routeLines.size() + " route changes reached it, the last: "
          + routeLines.subList(Math.max(0, routeLines.size() - 2), routeLines.size()));
      assertThat(total[0]).isGreaterThan(100);
      assertThat(failures).as("failed requests out of " + total[0] + "; the edge logged " + edgeLines + "; route changes at the edge: "
          + routeLines).isEmpty();
    }

    call(owner, HttpMethod.DELETE, "/api/paas/apps/" + app.getString("id"), null, 204);
    Eventually.await("the app's services gone", CONVERGE, () ->
        TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.environment=" + envId).isBlank() ? true : null);
    Eventually.await("the hostname no longer routed", Duration.ofSeconds(10), () -> viaEdge(hostname).statusCode() == 404 ? true : null);
    assertThat(TestImages.docker("secret", "ls", "-q", "--filter", "label=skypanel.org=" + organization)).isBlank();
  }

  @Test
  void a_verified_environment_domain_is_served_from_the_live_release_and_maintenance_answers_503() {
    ApiClient.Session owner = owner("Paas Domains");
    String v1 = TestImages.digestOf(TestImages.web("paas-domain-v1", "shop v1"));
    String v2 = TestImages.digestOf(TestImages.web("paas-domain-v2", "shop v2"));
    JsonObject app = call(owner, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", "shop"), 201);
    JsonObject production = app.getJsonArray("environments").getJsonObject(0);
    String envId = production.getString("id");
    String defaultHostname = production.getString("default_domain");
    String custom = "www-" + UUID.randomUUID().toString().substring(0, 8) + ".shop.example";

    // the domain is added and verified before the first deploy: the web process is routed with it when it comes
    JsonObject domain = call(owner, HttpMethod.POST, "/api/paas/environments/" + envId + "/domains", new JsonObject().put("hostname", custom), 201);
    ChallengeDns.setTxt(custom, domain.getJsonObject("verification").getString("value"));
    assertThat(call(owner, HttpMethod.POST, "/api/caas/domains/" + domain.getString("id") + "/verify", null, 200).getString("status"))
        .isEqualTo("verified");
    ChallengeDns.clearTxt(custom);

    call(owner, HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy", new JsonObject().put("image_ref", v1).put("port", 8080), 201);
    Eventually.await("v1 running", CONVERGE, () -> settled(owner, envId, 1, 1) ? true : null);
    assertThat(Eventually.await("the custom domain routed", Duration.ofSeconds(10), () -> {
      Answer answer = viaEdge(custom);
      return answer.statusCode() == 200 ? answer.body() : null;
    })).isEqualTo("shop v1");

    // a new release: the same domain now answers from it
    call(owner, HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy", new JsonObject().put("image_ref", v2), 201);
    Eventually.await("v2 served at the custom domain", CONVERGE, () ->
        settled(owner, envId, 2, 1) && "shop v2".equals(viaEdge(custom).body()) ? true : null);

    // maintenance: every hostname of the environment answers 503 at the edge, and serves again once it is off
    call(owner, HttpMethod.PATCH, "/api/paas/environments/" + envId + "/edge", new JsonObject().put("maintenance", true), 200);
    Eventually.await("maintenance at the edge", Duration.ofSeconds(10), () ->
        viaEdge(custom).statusCode() == 503 && viaEdge(defaultHostname).statusCode() == 503 ? true : null);
    call(owner, HttpMethod.PATCH, "/api/paas/environments/" + envId + "/edge", new JsonObject().put("maintenance", false), 200);
    Eventually.await("served again", Duration.ofSeconds(10), () -> "shop v2".equals(viaEdge(custom).body()) ? true : null);

    // deleting the app removes the domain and its route
    call(owner, HttpMethod.DELETE, "/api/paas/apps/" + app.getString("id"), null, 204);
    Eventually.await("the custom domain no longer routed", CONVERGE, () -> viaEdge(custom).statusCode() == 404 ? true : null);
    Eventually.await("the app's services gone", CONVERGE, () ->
        TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.environment=" + envId).isBlank() ? true : null);
  }
}
