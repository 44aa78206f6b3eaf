package io.skypanel.logs.loki;

import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.Await;
import io.skypanel.logs.support.LogStreamClient;
import io.skypanel.logs.support.LogStreamClient.Received;
import io.skypanel.logs.support.LogTailServer;
import io.skypanel.logs.support.LokiTestServer;
import io.skypanel.logs.support.LokiTestServer.Line;
import io.vertx.core.Vertx;
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
 * An add-on's server logs from the Loki test server: the selector pins the organization and the add-on (the
 * {@code skypanel_addon} label its service's {@code skypanel.addon} becomes), viewers read, other organizations get 404.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LokiAddonLogsTest {

  private static final String TENANT = "skypanel-test";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static Vertx vertx;
  private static LokiTestServer loki;
  private static LogTailServer server;
  private static LogStreamClient client;
  private static UUID owner;
  private static UUID viewer;
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
    owner = server.user("addon-owner@loki.test");
    viewer = server.user("addon-viewer@loki.test");
    stranger = server.user("addon-stranger@loki.test");
    org = server.organization("addon-acme", owner, "owner");
    server.member(org, viewer, "viewer");
    otherOrg = server.organization("addon-other", stranger, "owner");
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
  void streams_only_the_addons_own_server_lines_then_live_ones() {
    UUID env = server.environment(org, "shop");
    UUID addon = server.addon(env, "main-db", null);
    UUID otherAddon = server.addon(env, "cache", null);
    push(addon, "LOG:  database system is ready to accept connections");
    push(otherAddon, "other add-on");
    loki.push(Map.of("skypanel_org", org.toString(), "skypanel_environment", env.toString(), "skypanel_process", "web",
        "stream", "stdout"), List.of(new Line(next(), "an app line")));
    int before = loki.queries().size();

    Received sse = openSse(addon, viewer, org, "since=0");
    Eventually.await("backfill", WAIT, () -> sse.entries.size() >= 1 ? true : null);
    assertThat(loki.queries().get(before)).isEqualTo("{skypanel_addon=\"" + addon + "\",skypanel_org=\"" + org + "\"}");
    Eventually.await("upstream tail", WAIT, () -> loki.openTails(TENANT) == 1 ? true : null);
    push(addon, "LOG:  checkpoint starting: time");
    push(otherAddon, "other add-on again");
    Eventually.await("the live line", WAIT, () -> sse.entries.size() >= 2 ? true : null);
    assertThat(sse.lines()).containsExactly("LOG:  database system is ready to accept connections", "LOG:  checkpoint starting: time");
  }

  @Test
  void foreign_organizations_get_404_anonymous_callers_401_and_process_is_refused() {
    UUID env = server.environment(org, "private");
    UUID addon = server.addon(env, "secret-db", null);
    UUID foreignAddon = server.addon(server.environment(otherOrg, "theirs"), "their-db", null);
    push(addon, "secret line");
    assertNotFound(sse(addon, stranger, otherOrg, "follow=false"));
    assertNotFound(sse(addon, stranger, org, "follow=false"));
    assertNotFound(sse(foreignAddon, owner, org, "follow=false"));
    assertNotFound(sse(env, owner, org, "follow=false"));
    Received anonymous = sse(addon, null, org, "follow=false");
    assertThat(anonymous.status).isEqualTo(401);
    assertThat(anonymous.body).doesNotContain("secret line");
    assertThat(sse(addon, owner, org, "process=web").status).as("an add-on has no processes").isEqualTo(400);
  }

  private static synchronized long next() {
    clock += 1_000_000;
    return clock;
  }

  /** One line as the log pipeline stores the server's output: the service's Swarm labels become Loki labels. */
  private static void push(UUID addon, String line) {
    loki.push(Map.of("skypanel_org", org.toString(), "skypanel_addon", addon.toString(), "stream", "stderr"), List.of(new Line(next(), line)));
  }

  private Received openSse(UUID addon, UUID user, UUID organization, String query) {
    Received received = sse(addon, user, organization, query);
    assertThat(received.status).as(received.body).isEqualTo(200);
    return received;
  }

  private Received sse(UUID addon, UUID user, UUID organization, String query) {
    Received received = Await.result(client.sse("/api/paas/addons/" + addon + "/logs?" + query,
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
