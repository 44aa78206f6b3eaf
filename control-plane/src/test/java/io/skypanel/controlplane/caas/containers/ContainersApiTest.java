package io.skypanel.controlplane.caas.containers;

import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.common.testing.Eventually;
import io.skypanel.common.gateway.EdgeGateway;
import io.skypanel.common.testing.TestGateway;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.OverlayHttp;
import io.skypanel.controlplane.support.TestImages;
import java.util.Map;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Customers' containers through the API, against the real Swarm engine. */
class ContainersApiTest extends ApiTestBase {

  private static EdgeGateway gateway;
  private static int relayPort;

  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static ApiClient.Session owner;
  private static String org;
  private static String v1;
  private static String v2;
  private static String broken;

  @BeforeAll
  static void organizationWithRoomAndEgress() {
    // content ids, not tags: Swarm never tries a registry for them, so no test traffic leaves the machine
    v1 = TestImages.digestOf(TestImages.web("api-v1", "hello v1"));
    v2 = TestImages.digestOf(TestImages.web("api-v2", "hello v2"));
    broken = TestImages.digestOf(TestImages.broken("api-broken"));
    owner = newUser("Container Owner");
    org = createOrganization(owner, "Containers " + UUID.randomUUID().toString().substring(0, 6)).getString("id");
    // the performance plan allows several replicas; the default network policy (egress deny) stays: tasks publish
    // nothing and are reached on their overlay addresses through a gateway of the test's own, as the edge does
    TestServers.execute(server.database(), "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'performance') WHERE id = '" + org + "'");
    gateway = TestGateway.create(server.platform().vertx(), server.platform().docker(), "containers-" + UUID.randomUUID().toString().substring(0, 8), Map.of());
    relayPort = Await.result(gateway.start()).getPort();
  }

  @AfterAll
  static void removeLeftoverServices() throws InterruptedException {
    if (gateway != null) {
      Await.result(gateway.remove());
    }
    // containers deleted by the tests are already gone; this catches the ones a failed test left behind
    String services = TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.org=" + org);
    for (String id : services.split("\\s+")) {
      if (!id.isBlank()) {
        TestImages.dockerResult("service", "rm", id);
      }
    }
    TestImages.removeOrganizationNetworks(UUID.fromString(org));
  }

  private static JsonObject create(String name, String image, JsonObject extra) {
    JsonObject body = new JsonObject().put("name", name).put("image_ref", image)
        .put("ports", new JsonArray().add(new JsonObject().put("container_port", 8080)))
        .put("healthcheck", new JsonObject().put("type", "http").put("path", "/").put("interval_s", 1).put("timeout_s", 1).put("retries", 2))
        .put("resources", new JsonObject().put("cpu", 0.25).put("memory_mb", 64))
        .mergeIn(extra);
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/caas/containers", owner.token(), org, body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(202);
    return created.bodyAsJsonObject();
  }

  private static JsonObject get(String id) {
    HttpResponse<Buffer> response = call(HttpMethod.GET, "/api/caas/containers/" + id, owner.token(), org, null);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  /** Waits until the container runs {@code replicas} tasks, each with an endpoint, and returns it. */
  private static JsonObject running(String id, int replicas) {
    return Eventually.await("container " + id + " running with " + replicas + " replicas", CONVERGE, () -> {
      JsonObject container = get(id);
      boolean ready = "running".equals(container.getString("status")) && container.getInteger("running_replicas") == replicas
          && container.getJsonArray("endpoints").size() == replicas;
      return ready ? container : null;
    });
  }

  private static String body(JsonObject endpoint) {
    try {
      // the organization's network appears with its first container: the gateway joins it as the edge's does on
      // networks.changed
      Await.result(gateway.syncNetworks());
      return OverlayHttp.get(relayPort, endpoint.getString("address"), endpoint.getInteger("port")).trim();
    } catch (IOException e) {
      return null;
    }
  }

  private static String servedBody(String id, String expected) {
    return Eventually.await("container " + id + " to serve '" + expected + "'", CONVERGE, () -> {
      JsonArray endpoints = get(id).getJsonArray("endpoints");
      return endpoints.isEmpty() || !expected.equals(body(endpoints.getJsonObject(0))) ? null : expected;
    });
  }

  private static HttpResponse<Buffer> act(String id, String action, JsonObject body) {
    return call(HttpMethod.POST, "/api/caas/containers/" + id + "/" + action, owner.token(), org, body);
  }

  private static String taskContainer(String id) {
    return Eventually.await("a running task container of " + id, CONVERGE, () -> {
      String ids = TestImages.docker("ps", "-q", "--filter", "label=skypanel.container=" + id, "--filter", "status=running");
      return ids.isBlank() ? null : ids.split("\\s+")[0];
    });
  }

  private static void delete(String id) {
    assertThat(call(HttpMethod.DELETE, "/api/caas/containers/" + id, owner.token(), org, null).statusCode()).isEqualTo(202);
    Eventually.await("container " + id + " deleted", CONVERGE, () ->
        call(HttpMethod.GET, "/api/caas/containers/" + id, owner.token(), org, null).statusCode() == 404 ? true : null);
    assertThat(TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.container=" + id)).isBlank();
  }

  @Test
  void a_container_runs_hardened_and_answers_http_on_its_endpoint() {
    JsonObject created = create("web-" + UUID.randomUUID().toString().substring(0, 6), v1, new JsonObject());
    assertThat(created.getString("status")).isIn("pending", "deploying");
    assertThat(created.getString("default_domain")).startsWith(created.getString("name") + "-");

    JsonObject running = running(created.getString("id"), 1);
    JsonObject endpoint = running.getJsonArray("endpoints").getJsonObject(0);
    assertThat(endpoint.getString("address")).as("an address on the organization's internal network").matches("\\d+\\.\\d+\\.\\d+\\.\\d+")
        .isNotEqualTo("127.0.0.1");
    assertThat(endpoint.getString("network")).isEqualTo("internal");
    assertThat(endpoint.getInteger("port")).isEqualTo(8080);
    assertThat(endpoint.getInteger("container_port")).isEqualTo(8080);
    assertThat(body(endpoint)).isEqualTo("hello v1");
    assertThat(running.getString("image_digest")).as("the image the task really runs").isEqualTo(v1);

    JsonObject metrics = Eventually.await("a stats sample", CONVERGE, () -> {
      JsonObject m = call(HttpMethod.GET, "/api/caas/containers/" + created.getString("id") + "/metrics", owner.token(), org, null).bodyAsJsonObject();
      return m.getJsonArray("tasks") != null && !m.getJsonArray("tasks").isEmpty() ? m : null;
    });
    assertThat(metrics.getJsonArray("tasks").getJsonObject(0).getLong("memory_bytes")).isPositive();
    assertThat(metrics.getJsonObject("edge").getInteger("window_hours")).as("the edge's figures come along").isEqualTo(24);
    assertThat(metrics.getJsonObject("edge").getJsonArray("hours")).isNotNull();

    JsonObject spec = new JsonObject(TestImages.docker("service", "inspect", "c-" + created.getString("id"), "--format", "{{json .Spec.TaskTemplate.ContainerSpec}}"));
    assertThat(spec.getJsonArray("CapabilityDrop")).contains("ALL");
    assertThat(spec.containsKey("Privileges") && spec.getJsonObject("Privileges") != null && spec.getJsonObject("Privileges").containsKey("NoNewPrivileges")).isFalse();
    assertThat(spec.getJsonArray("Mounts", new JsonArray()).stream().map(m -> ((JsonObject) m).getString("Type")).toList()).doesNotContain("bind");
    delete(created.getString("id"));
  }

  @Test
  void scales_one_to_three_to_one() {
    String id = create("scale-" + UUID.randomUUID().toString().substring(0, 6), v1, new JsonObject()).getString("id");
    running(id, 1);

    assertThat(act(id, "scale", new JsonObject().put("replicas", 3)).statusCode()).isEqualTo(202);
    JsonObject three = running(id, 3);
    Set<String> addresses = new HashSet<>();
    three.getJsonArray("endpoints").forEach(e -> addresses.add(((JsonObject) e).getString("address")));
    assertThat(addresses).as("one overlay address per task").hasSize(3);
    three.getJsonArray("endpoints").forEach(e -> assertThat(body((JsonObject) e)).isEqualTo("hello v1"));

    assertThat(act(id, "scale", new JsonObject().put("replicas", 1)).statusCode()).isEqualTo(202);
    assertThat(running(id, 1).getInteger("replicas")).isEqualTo(1);
    delete(id);
  }

  @Test
  void deploys_a_new_image_and_a_broken_one_is_rolled_back_automatically() {
    String id = create("deploy-" + UUID.randomUUID().toString().substring(0, 6), v1, new JsonObject()).getString("id");
    running(id, 1);

    assertThat(act(id, "deploy", new JsonObject().put("image_ref", v2)).statusCode()).isEqualTo(202);
    servedBody(id, "hello v2");
    JsonObject deployed = Eventually.await("last_deploy deployed", CONVERGE, () -> {
      JsonObject c = get(id);
      return c.getJsonObject("last_deploy") != null && "deployed".equals(c.getJsonObject("last_deploy").getString("state"))
          && v2.equals(c.getJsonObject("last_deploy").getString("image")) ? c : null;
    });
    assertThat(deployed.getString("image_ref")).isEqualTo(v2);

    // the customer rolls back by hand: to the spec before the last change
    assertThat(act(id, "rollback", null).statusCode()).isEqualTo(202);
    servedBody(id, "hello v1");

    assertThat(act(id, "deploy", new JsonObject().put("image_ref", broken)).statusCode()).isEqualTo(202);
    JsonObject rolledBack = Eventually.await("automatic rollback", Duration.ofSeconds(150), () -> {
      JsonObject c = get(id);
      return c.getJsonObject("last_deploy") != null && "rolled_back".equals(c.getJsonObject("last_deploy").getString("state")) ? c : null;
    });
    assertThat(rolledBack.getString("image_ref")).isEqualTo(v1);
    assertThat(rolledBack.getJsonObject("last_deploy").getString("failed_image")).isEqualTo(broken);
    // the deploy record keeps why; the status reason says it while Swarm still reports the rollback
    assertThat(rolledBack.getJsonObject("last_deploy").getString("message")).contains("rolled back");
    servedBody(id, "hello v1");
    JsonArray events = call(HttpMethod.GET, "/api/caas/containers/" + id + "/events", owner.token(), org, null).bodyAsJsonObject().getJsonArray("data");
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("type")).toList()).contains("rollback", "deploy", "create");
    delete(id);
  }

  @Test
  void config_vars_apply_and_secrets_are_files_never_env_or_api() {
    String id = create("conf-" + UUID.randomUUID().toString().substring(0, 6), v1,
        new JsonObject().put("env_vars", new JsonObject().put("MODE", "one")).put("secrets", new JsonObject().put("DB_PASSWORD", "s3cr3t-value"))).getString("id");
    running(id, 1);
    assertThat(get(id).getJsonArray("secrets")).containsExactly("DB_PASSWORD");
    assertThat(get(id).encode()).doesNotContain("s3cr3t-value");

    String task = taskContainer(id);
    assertThat(TestImages.docker("exec", task, "cat", "/run/secrets/DB_PASSWORD")).isEqualTo("s3cr3t-value");
    assertThat(TestImages.docker("exec", task, "env")).contains("MODE=one").doesNotContain("s3cr3t-value");

    HttpResponse<Buffer> patched = call(HttpMethod.PATCH, "/api/caas/containers/" + id + "/env", owner.token(), org,
        new JsonObject().put("MODE", "two").put("ADDED", "yes"));
    assertThat(patched.statusCode()).as(patched.bodyAsString()).isEqualTo(200);
    assertThat(patched.bodyAsJsonObject().getString("MODE")).isEqualTo("two");
    String env = Eventually.await("the new config in a running task", CONVERGE, () -> {
      String ids = TestImages.docker("ps", "-q", "--filter", "label=skypanel.container=" + id, "--filter", "status=running");
      for (String c : ids.split("\\s+")) {
        if (!c.isBlank()) {
          String e = TestImages.dockerResult("exec", c, "env").out();
          if (e.contains("MODE=two") && e.contains("ADDED=yes")) {
            return e;
          }
        }
      }
      return null;
    });
    assertThat(env).doesNotContain("s3cr3t-value");

    HttpResponse<Buffer> removed = call(HttpMethod.PATCH, "/api/caas/containers/" + id + "/env", owner.token(), org, new JsonObject().putNull("ADDED"));
    assertThat(removed.bodyAsJsonObject().containsKey("ADDED")).isFalse();
    delete(id);
  }

  @Test
  void volume_data_survives_a_redeploy() {
    HttpResponse<Buffer> volume = call(HttpMethod.POST, "/api/caas/volumes", owner.token(), org,
        new JsonObject().put("name", "data-" + UUID.randomUUID().toString().substring(0, 6)).put("size_gb", 1));
    assertThat(volume.statusCode()).as(volume.bodyAsString()).isEqualTo(201);
    String volumeId = volume.bodyAsJsonObject().getString("id");
    String id = create("vol-" + UUID.randomUUID().toString().substring(0, 6), v1, new JsonObject().put("volumes",
        new JsonArray().add(new JsonObject().put("volume_id", volumeId).put("mount_path", "/data")))).getString("id");
    running(id, 1);
    TestImages.docker("exec", taskContainer(id), "sh", "-c", "echo persisted > /data/proof");

    assertThat(act(id, "deploy", new JsonObject().put("image_ref", v2)).statusCode()).isEqualTo(202);
    servedBody(id, "hello v2");
    String task = Eventually.await("a v2 task", CONVERGE, () -> {
      JsonObject c = get(id);
      return "running".equals(c.getString("status")) && v2.equals(c.getString("image_digest")) ? taskContainer(id) : null;
    });
    assertThat(TestImages.docker("exec", task, "cat", "/data/proof").trim()).isEqualTo("persisted");
    delete(id);
    assertThat(call(HttpMethod.DELETE, "/api/caas/volumes/" + volumeId, owner.token(), org, null).statusCode()).isEqualTo(204);
  }

  @Test
  void an_organization_with_containers_cannot_be_deleted_until_they_are_gone() {
    ApiClient.Session founder = newUser("Founder");
    String team = createOrganization(founder, "Team " + UUID.randomUUID().toString().substring(0, 6)).getString("id");
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/caas/containers", founder.token(), team,
        new JsonObject().put("name", "keeper").put("image_ref", v1).put("resources", new JsonObject().put("cpu", 0.25).put("memory_mb", 64)));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(202);
    String id = created.bodyAsJsonObject().getString("id");

    assertThat(errorCode(call(HttpMethod.DELETE, "/api/organizations/" + team, founder.token(), null), 409)).isEqualTo("organization_not_empty");

    assertThat(call(HttpMethod.DELETE, "/api/caas/containers/" + id, founder.token(), team, null).statusCode()).isEqualTo(202);
    Eventually.await("the container gone", CONVERGE, () ->
        call(HttpMethod.GET, "/api/caas/containers/" + id, founder.token(), team, null).statusCode() == 404 ? true : null);
    assertThat(call(HttpMethod.DELETE, "/api/organizations/" + team, founder.token(), null).statusCode()).isEqualTo(204);
    assertThat(TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.container=" + id)).isBlank();
  }

  @Test
  void restart_replaces_the_tasks_and_stop_start_scale_to_zero_and_back() {
    String id = create("ops-" + UUID.randomUUID().toString().substring(0, 6), v1, new JsonObject()).getString("id");
    String before = running(id, 1).getJsonArray("endpoints").getJsonObject(0).getString("task_id");

    assertThat(act(id, "restart", null).statusCode()).isEqualTo(202);
    Eventually.await("a new task after restart", CONVERGE, () -> {
      JsonObject c = get(id);
      return "running".equals(c.getString("status")) && c.getJsonArray("endpoints").size() == 1
          && !before.equals(c.getJsonArray("endpoints").getJsonObject(0).getString("task_id")) ? c : null;
    });

    assertThat(act(id, "stop", null).statusCode()).isEqualTo(202);
    Eventually.await("stopped with no tasks", CONVERGE, () -> {
      JsonObject c = get(id);
      return "stopped".equals(c.getString("status")) && c.getInteger("running_replicas") == 0 ? c : null;
    });
    assertThat(act(id, "start", null).statusCode()).isEqualTo(202);
    running(id, 1);
    delete(id);
  }

  @Test
  void the_reconciler_recreates_a_service_removed_out_of_band() {
    String id = create("heal-" + UUID.randomUUID().toString().substring(0, 6), v1, new JsonObject()).getString("id");
    running(id, 1);
    String serviceBefore = TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.container=" + id).trim();

    TestImages.docker("service", "rm", serviceBefore);

    Eventually.await("a replacement service", CONVERGE, () -> {
      String now = TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.container=" + id).trim();
      return !now.isBlank() && !now.equals(serviceBefore) ? now : null;
    });
    running(id, 1);
    assertThat(TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.container=" + id).trim().split("\\s+")).hasSize(1);
    JsonArray events = call(HttpMethod.GET, "/api/caas/containers/" + id + "/events", owner.token(), org, null).bodyAsJsonObject().getJsonArray("data");
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("type")).toList()).contains("repair");
    delete(id);
  }

  @Test
  void a_blocked_or_undigested_image_is_refused_with_the_rule_and_nothing_is_created() {
    long before = server.count("paas_containers");
    HttpResponse<Buffer> policy = call(HttpMethod.PUT, "/api/caas/policies/images", owner.token(), org,
        new JsonObject().put("blocked_patterns", new JsonArray().add("*" + v2.substring("sha256:".length()))));
    assertThat(policy.statusCode()).as(policy.bodyAsString()).isEqualTo(200);
    try {
      HttpResponse<Buffer> blocked = call(HttpMethod.POST, "/api/caas/containers", owner.token(), org,
          new JsonObject().put("name", "blocked").put("image_ref", v2));
      assertThat(errorCode(blocked, 422)).isEqualTo("image_policy_violation");
      assertThat(blocked.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("blocked");

      call(HttpMethod.PUT, "/api/caas/policies/images", owner.token(), org, new JsonObject().put("require_digest", true));
      HttpResponse<Buffer> undigested = call(HttpMethod.POST, "/api/caas/containers", owner.token(), org,
          new JsonObject().put("name", "undigested").put("image_ref", v1));
      assertThat(errorCode(undigested, 422)).isEqualTo("image_policy_violation");
      assertThat(undigested.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("digest");
      assertThat(server.count("paas_containers")).isEqualTo(before);
    } finally {
      call(HttpMethod.PUT, "/api/caas/policies/images", owner.token(), org, new JsonObject());
    }
  }

  @Test
  void quota_exceeded_is_422_and_creates_nothing() {
    ApiClient.Session hobbyist = newUser("Hobbyist");
    long before = server.count("paas_containers");
    HttpResponse<Buffer> tooMany = call(HttpMethod.POST, "/api/caas/containers", hobbyist.token(),
        new JsonObject().put("name", "big").put("image_ref", v1).put("replicas", 5));
    assertThat(errorCode(tooMany, 422)).isEqualTo("quota_exceeded");
    assertThat(tooMany.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("replicas");
    HttpResponse<Buffer> tooLarge = call(HttpMethod.POST, "/api/caas/containers", hobbyist.token(),
        new JsonObject().put("name", "large").put("image_ref", v1).put("resources", new JsonObject().put("cpu", 8).put("memory_mb", 64)));
    assertThat(errorCode(tooLarge, 422)).isEqualTo("quota_exceeded");
    assertThat(server.count("paas_containers")).isEqualTo(before);

    JsonObject usage = call(HttpMethod.GET, "/api/caas/usage", hobbyist.token(), null).bodyAsJsonObject();
    assertThat(usage.getJsonObject("limits").getString("plan")).isEqualTo("hobby");
    assertThat(usage.getJsonObject("used").getLong("containers")).isZero();
  }

  @Test
  void another_organization_cannot_see_deploy_scale_or_delete_the_container() {
    String id = create("private-" + UUID.randomUUID().toString().substring(0, 6), v1, new JsonObject()).getString("id");
    ApiClient.Session stranger = newUser("Stranger");
    String path = "/api/caas/containers/" + id;

    assertThat(errorCode(call(HttpMethod.GET, path, stranger.token(), null), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.POST, path + "/deploy", stranger.token(), new JsonObject().put("image_ref", v2)), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.POST, path + "/scale", stranger.token(), new JsonObject().put("replicas", 0)), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.DELETE, path, stranger.token(), null), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.GET, path + "/env", stranger.token(), null), 404)).isEqualTo("not_found");
    assertThat(call(HttpMethod.GET, "/api/caas/containers", stranger.token(), null).bodyAsString()).doesNotContain(id);
    // naming the organization does not help a non-member
    assertThat(errorCode(call(HttpMethod.GET, path, stranger.token(), org, null), 404)).isEqualTo("not_found");
    assertThat(get(id).getString("image_ref")).isEqualTo(v1);
    delete(id);
  }

  @Test
  void the_same_idempotency_key_creates_once_and_replays_the_answer() {
    String key = "create-" + UUID.randomUUID();
    JsonObject body = new JsonObject().put("name", "idem-" + UUID.randomUUID().toString().substring(0, 6)).put("image_ref", v1)
        .put("resources", new JsonObject().put("cpu", 0.25).put("memory_mb", 64));
    var first = await(api.request(HttpMethod.POST, "/api/caas/containers", owner.token()).putHeader("X-Organization-Id", org)
        .putHeader("Idempotency-Key", key).sendJsonObject(body));
    var second = await(api.request(HttpMethod.POST, "/api/caas/containers", owner.token()).putHeader("X-Organization-Id", org)
        .putHeader("Idempotency-Key", key).sendJsonObject(body));
    var different = await(api.request(HttpMethod.POST, "/api/caas/containers", owner.token()).putHeader("X-Organization-Id", org)
        .putHeader("Idempotency-Key", key).sendJsonObject(body.copy().put("replicas", 2)));

    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
    assertThat(second.statusCode()).isEqualTo(202);
    assertThat(second.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(second.bodyAsJsonObject().getString("id")).isEqualTo(first.bodyAsJsonObject().getString("id"));
    assertThat(errorCode(different, 422)).isEqualTo("idempotency_key_reused");
    List<String> names = call(HttpMethod.GET, "/api/caas/containers?search=" + body.getString("name"), owner.token(), org, null)
        .bodyAsJsonObject().getJsonArray("data").stream().map(c -> ((JsonObject) c).getString("name")).toList();
    assertThat(names).containsExactly(body.getString("name"));
    delete(first.bodyAsJsonObject().getString("id"));
  }

  @Test
  void a_viewer_reads_but_cannot_operate() {
    String id = create("viewed-" + UUID.randomUUID().toString().substring(0, 6), v1, new JsonObject()).getString("id");
    ApiClient.Session viewer = newUser("Viewer");
    addMember(owner, org, viewer, "viewer");
    assertThat(call(HttpMethod.GET, "/api/caas/containers/" + id, viewer.token(), org, null).statusCode()).isEqualTo(200);
    assertThat(errorCode(call(HttpMethod.POST, "/api/caas/containers/" + id + "/restart", viewer.token(), org, null), 403)).isEqualTo("forbidden");
    delete(id);
  }
}
