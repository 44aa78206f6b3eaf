package io.skypanel.logs.loki;

import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.Await;
import io.skypanel.logs.support.LogStreamClient;
import io.skypanel.logs.support.LogStreamClient.Received;
import io.skypanel.logs.support.LogTailServer;
import io.skypanel.logs.support.LokiTestServer;
import io.skypanel.logs.support.LokiTestServer.Line;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An environment's logs from the Loki test server: the selector pins the organization and the environment (and the
 * process when asked), every line names its process from the {@code skypanel_process} label, and only members of
 * the environment's organization may read them.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LokiEnvironmentLogsTest {

  private static final String TENANT = "skypanel-test";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static Vertx vertx;
  private static LokiTestServer loki;
  private static LogTailServer server;
  private static LogStreamClient client;
  private static UUID owner;
  private static UUID stranger;
  private static UUID org;
  private static UUID otherOrg;
  private static long clock;

  private final List<Received> open = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    loki = Await.result(new LokiTestServer(vertx, 10, Duration.ofHours(1)).start());
    server = Await.result(LogTailServer.start(vertx, new JsonObject()
        .put("SKYPANEL_LOKI_URL", loki.url())
        .put("SKYPANEL_LOKI_TENANT", TENANT)));
    client = new LogStreamClient(vertx, server.port());
    owner = server.user("env-owner@loki.test");
    stranger = server.user("env-stranger@loki.test");
    org = server.organization("env-acme", owner, "owner");
    otherOrg = server.organization("env-other", stranger, "owner");
    clock = System.currentTimeMillis() * 1_000_000L - 600_000_000_000L;
  }

  @AfterEach
  void closeStreams() {
    open.forEach(Received::close);
    Eventually.await("every tail closed", WAIT, () -> loki.openTails(TENANT) == 0 ? true : null);
  }

  @AfterAll
  static void stop() {
    Await.result(client.close());
    Await.result(server.stop());
    Await.result(loki.close());
    Await.result(vertx.close());
  }

  @Test
  void streams_both_processes_with_their_process_type_then_live_lines() {
    UUID env = server.environment(org, "shop");
    UUID otherEnv = server.environment(org, "blog");
    push(env, "web", "web-1");
    push(env, "worker", "worker-1");
    push(env, "release", "release-1");
    push(env, "web", "web-2");
    push(otherEnv, "web", "blog-1");
    loki.push(Map.of("skypanel_org", org.toString(), "skypanel_container", UUID.randomUUID().toString(), "stream", "stdout"), next(), "container-1");
    int before = loki.queries().size();

    Received sse = openSse(env, owner, org, "since=0");
    Eventually.await("backfill", WAIT, () -> sse.entries.size() >= 4 ? true : null);
    assertThat(loki.queries().get(before)).isEqualTo("{skypanel_environment=\"" + env + "\",skypanel_org=\"" + org + "\"}");
    Eventually.await("upstream tail", WAIT, () -> loki.openTails(TENANT) == 1 ? true : null);
    push(env, "worker", "worker-2");
    push(otherEnv, "worker", "blog-2");
    Eventually.await("the live line", WAIT, () -> sse.entries.size() >= 5 ? true : null);
    assertThat(sse.entries).extracting(e -> e.getString("process") + ":" + e.getString("line"))
        .containsExactly("web:web-1", "worker:worker-1", "release:release-1", "web:web-2", "worker:worker-2");

    Received ws = Await.result(client.websocket("/api/paas/environments/" + env + "/logs?since=0&follow=false",
        LogStreamClient.headers(server.token(owner), org.toString())));
    open.add(ws);
    Eventually.await("the WebSocket closes after the backfill", WAIT, () -> ws.ended ? true : null);
    assertThat(ws.entries).extracting(e -> e.getString("process") + ":" + e.getString("line"))
        .containsExactly("web:web-1", "worker:worker-1", "release:release-1", "web:web-2", "worker:worker-2");
  }

  @Test
  void process_parameter_narrows_the_stream_to_one_process_type() {
    UUID env = server.environment(org, "narrow");
    push(env, "web", "web-a");
    push(env, "worker", "worker-a");
    push(env, "web", "web-b");
    int before = loki.queries().size();
    Received web = openSse(env, owner, org, "since=0&follow=false&process=web");
    Eventually.await("end", WAIT, () -> web.ended ? true : null);
    assertThat(web.lines()).containsExactly("web-a", "web-b");
    assertThat(web.entries).allSatisfy(e -> assertThat(e.getString("process")).isEqualTo("web"));
    assertThat(loki.queries().subList(before, loki.queries().size()))
        .containsExactly("{skypanel_environment=\"" + env + "\",skypanel_org=\"" + org + "\",skypanel_process=\"web\"}");

    Received invalid = sse(env, owner, org, "process=" + "Web%7D");
    assertThat(invalid.status).isEqualTo(400);
    assertThat(new JsonObject(invalid.body).getJsonObject("error").getString("code")).isEqualTo("validation_failed");
    Received onContainer = Await.result(client.sse("/api/caas/containers/" + server.container(org, "plain", null) + "/logs?process=web",
        LogStreamClient.headers(server.token(owner), org.toString())));
    open.add(onContainer);
    assertThat(onContainer.status).as("a container has no processes").isEqualTo(400);
  }

  @Test
  void foreign_organizations_get_404_and_anonymous_callers_401() {
    UUID env = server.environment(org, "private");
    UUID foreignEnv = server.environment(otherOrg, "theirs");
    push(env, "web", "secret line");
    assertNotFound(sse(env, stranger, otherOrg, "follow=false"));
    assertNotFound(sse(env, stranger, org, "follow=false"));
    assertNotFound(sse(foreignEnv, owner, org, "follow=false"));
    assertNotFound(sse(UUID.randomUUID(), owner, org, "follow=false"));
    assertNotFound(sse(server.container(org, "not-an-env", null), owner, org, "follow=false"));
    Throwable refused = Await.failure(client.websocket("/api/paas/environments/" + env + "/logs?organization_id=" + otherOrg,
        LogStreamClient.headers(server.token(stranger), null)));
    assertThat(refused).isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) refused).getStatus()).isEqualTo(404);
    Received anonymous = sse(env, null, org, "follow=false");
    assertThat(anonymous.status).isEqualTo(401);
    assertThat(anonymous.body).doesNotContain("secret line");
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static synchronized long next() {
    clock += 1_000_000;
    return clock;
  }

  /** One line as the log pipeline stores a task's output: the Swarm labels become Loki labels. */
  private static void push(UUID env, String process, String line) {
    loki.push(Map.of("skypanel_org", org.toString(), "skypanel_environment", env.toString(), "skypanel_process", process,
        "stream", "stdout"), List.of(new Line(next(), line)));
  }

  private Received openSse(UUID env, UUID user, UUID organization, String query) {
    Received received = sse(env, user, organization, query);
    assertThat(received.status).as(received.body).isEqualTo(200);
    return received;
  }

  private Received sse(UUID env, UUID user, UUID organization, String query) {
    Received received = Await.result(client.sse("/api/paas/environments/" + env + "/logs?" + query,
        LogStreamClient.headers(user == null ? null : server.token(user), organization == null ? null : organization.toString())));
    if (received.status != 200) {
      Eventually.await("error body", WAIT, () -> received.ended ? true : null);
    }
    open.add(received);
    return received;
  }

  private static void assertNotFound(Received received) {
    assertThat(received.status).as(received.body).isEqualTo(404);
    assertThat(new JsonObject(received.body).getJsonObject("error").getString("code")).isEqualTo("not_found");
  }
}
