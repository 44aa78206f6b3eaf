package io.skypanel.logs.builds;

import io.skypanel.common.buildlogs.BuildLogPublisher;
import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.Await;
import io.skypanel.logs.support.LogStreamClient;
import io.skypanel.logs.support.LogStreamClient.Received;
import io.skypanel.logs.support.LogTailServer;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Build logs through log-tail: lines the control plane publishes (through the same {@link BuildLogPublisher}) reach
 * viewers live over SSE and WebSocket, late viewers get the lines so far, the build's end closes the stream with an
 * {@code end} event, and an ended build's stored log comes from PostgreSQL; access is org-scoped like every log.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BuildLogsTest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static Vertx vertx;
  private static LogTailServer server;
  private static LogStreamClient client;
  private static BuildLogPublisher publisher;
  private static UUID owner;
  private static UUID stranger;
  private static UUID org;
  private static UUID otherOrg;
  private static UUID env;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server = Await.result(LogTailServer.start(vertx, new JsonObject().put("SKYPANEL_LOGS_KEEPALIVE_SECONDS", "1")));
    client = new LogStreamClient(vertx, server.port());
    publisher = new BuildLogPublisher(server.platform().redis(), server.platform().redisPrefix(), 1000, 300);
    owner = server.user("build-owner-" + RUN + "@logs.test");
    stranger = server.user("build-stranger-" + RUN + "@logs.test");
    org = server.organization("build-logs-" + RUN, owner, "owner");
    otherOrg = server.organization("build-logs-other-" + RUN, stranger, "owner");
    env = server.environment(org, "built-" + RUN);
  }

  @AfterAll
  static void stop() {
    Await.result(client.close());
    Await.result(server.stop());
    Await.result(vertx.close());
  }

  @Test
  void live_lines_arrive_in_order_over_sse_and_websocket_and_the_end_closes_the_stream() {
    UUID build = server.build(env, "building");
    BuildLogPublisher.Writer log = publisher.open(build);
    numbered("step", 1, 5).forEach(log::line);

    Received sse = open(build, "", null, false);
    Received ws = open(build, "", null, true);
    for (Received received : List.of(sse, ws)) {
      Eventually.await("the lines so far", WAIT, () -> received.entries.size() >= 5 ? true : null);
    }
    numbered("step", 6, 40).forEach(log::line);
    for (Received received : List.of(sse, ws)) {
      Eventually.await("the live lines", WAIT, () -> received.entries.size() >= 40 ? true : null);
      assertThat(received.lines()).containsExactlyElementsOf(numbered("step", 1, 40));
      assertThat(received.ended).as("still open while the build runs").isFalse();
    }
    Received late = open(build, "", null, false);
    Eventually.await("a late viewer's backfill", WAIT, () -> late.entries.size() >= 40 ? true : null);
    assertThat(late.lines()).containsExactlyElementsOf(numbered("step", 1, 40));

    log.line("-----> Build failed: no web process");
    server.finishBuild(build, "failed", String.join("\n", numbered("step", 1, 40)) + "\n-----> Build failed: no web process\n");
    Await.result(log.end("failed"));
    for (Received received : List.of(sse, ws, late)) {
      Eventually.await("the end", WAIT, () -> received.ended ? true : null);
      assertThat(received.lines()).hasSize(41).last().isEqualTo("-----> Build failed: no web process");
      assertThat(received.notices).containsExactly(new JsonObject().put("type", "end").put("status", "failed"));
    }
  }

  @Test
  void resumes_after_the_last_event_id() {
    UUID build = server.build(env, "building");
    BuildLogPublisher.Writer log = publisher.open(build);
    numbered("line", 1, 6).forEach(log::line);
    Received first = open(build, "follow=false", null, false);
    Eventually.await("the lines so far", WAIT, () -> first.ended ? true : null);
    assertThat(first.lines()).containsExactlyElementsOf(numbered("line", 1, 6));
    assertThat(first.notices).as("no end while the build runs").isEmpty();

    Received resumed = open(build, "", first.entries.get(2).getString("id"), false);
    Eventually.await("the rest", WAIT, () -> resumed.entries.size() >= 3 ? true : null);
    log.line("line-7");
    Await.result(log.end("failed"));
    Eventually.await("the end", WAIT, () -> resumed.ended ? true : null);
    assertThat(resumed.lines()).containsExactlyElementsOf(numbered("line", 4, 7));
    assertThat(resumed.notices).containsExactly(new JsonObject().put("type", "end").put("status", "failed"));

    Received garbage = open(build, "", "not-an-id", false);
    assertThat(garbage.status).isEqualTo(400);
  }

  @Test
  void an_ended_build_serves_its_stored_log_then_ends() {
    UUID build = server.build(env, "building");
    server.finishBuild(build, "failed", "-----> Building\nboom\n-----> Build failed: boom\n");
    for (boolean websocket : List.of(false, true)) {
      Received received = open(build, "", null, websocket);
      Eventually.await("the end", WAIT, () -> received.ended ? true : null);
      assertThat(received.lines()).containsExactly("-----> Building", "boom", "-----> Build failed: boom");
      assertThat(received.notices).containsExactly(new JsonObject().put("type", "end").put("status", "failed"));
    }
    Received resumed = open(build, "", "stored-2", false);
    Eventually.await("the end", WAIT, () -> resumed.ended ? true : null);
    assertThat(resumed.lines()).containsExactly("-----> Build failed: boom");
  }

  @Test
  void a_build_that_ended_without_its_end_entry_still_ends_the_stream() {
    UUID build = server.build(env, "building");
    publisher.open(build).line("half way");
    Received sse = open(build, "", null, false);
    Eventually.await("the line", WAIT, () -> sse.entries.isEmpty() ? null : true);
    // what a restarted control plane does to builds it left running: the row ends, no end entry is ever written
    server.finishBuild(build, "failed", "half way\n");
    Eventually.await("the end", WAIT, () -> sse.ended ? true : null);
    assertThat(sse.lines()).containsExactly("half way");
    assertThat(sse.notices).containsExactly(new JsonObject().put("type", "end").put("status", "failed"));
  }

  @Test
  void foreign_organizations_get_404_and_anonymous_callers_401() {
    UUID build = server.build(env, "building");
    publisher.open(build).line("secret build output");
    String path = "/api/paas/builds/" + build + "/logs";
    assertThat(Await.result(client.sse(path, LogStreamClient.headers(server.token(stranger), otherOrg.toString()))).status).isEqualTo(404);
    assertThat(Await.result(client.sse(path + "?organization_id=" + org, LogStreamClient.headers(server.token(stranger), null))).status)
        .isEqualTo(404);
    assertThat(Await.result(client.sse("/api/paas/builds/" + UUID.randomUUID() + "/logs",
        LogStreamClient.headers(server.token(owner), org.toString()))).status).isEqualTo(404);
    Throwable refused = Await.failure(client.websocket(path, LogStreamClient.headers(server.token(stranger), otherOrg.toString())));
    assertThat(refused).isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) refused).getStatus()).isEqualTo(404);
    Received anonymous = Await.result(client.sse(path, LogStreamClient.headers(null, org.toString())));
    assertThat(anonymous.status).isEqualTo(401);
    Eventually.await("error body", WAIT, () -> anonymous.ended ? true : null);
    assertThat(anonymous.body).doesNotContain("secret build output");
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static List<String> numbered(String name, int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> name + "-" + i).toList();
  }

  private static Received open(UUID build, String query, String lastEventId, boolean websocket) {
    String path = "/api/paas/builds/" + build + "/logs" + (query.isEmpty() ? "" : "?" + query);
    MultiMap headers = LogStreamClient.headers(server.token(owner), org.toString());
    if (lastEventId != null) {
      headers.add("Last-Event-ID", lastEventId);
    }
    return Await.result(websocket ? client.websocket(path, headers) : client.sse(path, headers));
  }
}
