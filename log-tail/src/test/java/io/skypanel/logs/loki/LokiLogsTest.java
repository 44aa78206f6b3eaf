package io.skypanel.logs.loki;

import io.skypanel.controlplane.support.Await;
import io.skypanel.common.testing.Eventually;
import io.skypanel.logs.support.LogStreamClient;
import io.skypanel.logs.support.LogStreamClient.Received;
import io.skypanel.logs.support.LogTailServer;
import io.skypanel.logs.support.LokiTestServer;
import io.skypanel.logs.support.LokiTestServer.Line;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The log service against the Loki test server, over real sockets: backfill and tail joined without gap or
 * repeat, seamless reconnects after Loki's 1011 close, one shared tail for many viewers, slow viewers dropping
 * lines without holding up fast ones, filters that stay filters, membership and resume.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LokiLogsTest {

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
  private static UUID container;
  private static UUID otherContainer;
  private static long clock;

  private final List<Received> open = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    loki = Await.result(new LokiTestServer(vertx, 10, Duration.ofHours(1)).start());
    server = Await.result(LogTailServer.start(vertx, new JsonObject()
        .put("SKYPANEL_LOKI_URL", loki.url())
        .put("SKYPANEL_LOKI_TENANT", TENANT)
        .put("SKYPANEL_LOGS_VIEWER_BUFFER", "100")
        .put("SKYPANEL_LOGS_KEEPALIVE_SECONDS", "1")));
    client = new LogStreamClient(vertx, server.port());
    owner = server.user("owner@logs.test");
    viewer = server.user("viewer@logs.test");
    stranger = server.user("stranger@logs.test");
    org = server.organization("acme", owner, "owner");
    server.member(org, viewer, "viewer");
    otherOrg = server.organization("other", stranger, "owner");
    container = server.container(org, "web", null);
    otherContainer = server.container(otherOrg, "web", null);
    clock = System.currentTimeMillis() * 1_000_000L - 600_000_000_000L; // lines start ten minutes ago
  }

  @AfterEach
  void closeStreams() {
    open.forEach(Received::close);
    Eventually.await("every upstream closed", WAIT, () -> hubUpstreams() == 0 && loki.openTails(TENANT) == 0 ? true : null);
  }

  @AfterAll
  static void stop() {
    Await.result(client.close());
    Await.result(server.stop());
    Await.result(loki.close());
    Await.result(vertx.close());
  }

  @Test
  void backfill_then_tail_arrive_without_gap_or_duplicate() {
    UUID c = server.container(org, "seam", null);
    pushNumbered(c, org, 1, 50);
    Received sse = openSse(c, owner, "since=0&limit=1000");
    Eventually.await("backfill", WAIT, () -> sse.entries.size() >= 50 ? true : null);
    Eventually.await("upstream tail", WAIT, () -> loki.openTails(TENANT) == 1 ? true : null);
    pushNumbered(c, org, 51, 100);
    Eventually.await("live lines", WAIT, () -> sse.entries.size() >= 100 ? true : null);
    assertThat(sse.lines()).containsExactlyElementsOf(numbered(1, 100));
    assertThat(sse.contentType).startsWith("text/event-stream");
    assertThat(sse.entries.stream().map(e -> e.getString("id")).distinct().count()).isEqualTo(100);
  }

  @Test
  void tail_reconnects_after_1011_without_gap_or_duplicate() {
    UUID c = server.container(org, "reconnect", null);
    loki.maxTailDuration(Duration.ofMillis(700));
    try {
      Received ws = openWs(c, owner, "since=0");
      Eventually.await("upstream tail", WAIT, () -> loki.openTails(TENANT) == 1 ? true : null);
      int tailsBefore = loki.tailsOpened();
      int n = 0;
      long deadline = System.currentTimeMillis() + 3000;
      while (System.currentTimeMillis() < deadline) {
        // pairs of lines share a timestamp, so the seam also meets equal timestamps
        long ts = next();
        loki.push(labels(c, org), List.of(new Line(ts, "line-" + (++n)), new Line(ts, "line-" + (++n))));
        Await.result(vertx.timer(20)); // paces the producer; nothing waits on it for correctness
      }
      int total = n;
      Eventually.await("all lines", WAIT, () -> ws.entries.size() >= total ? true : null);
      assertThat(loki.tailsOpened() - tailsBefore).as("reconnects after 1011").isGreaterThanOrEqualTo(2);
      assertThat(ws.lines()).containsExactlyElementsOf(numbered(1, total));
    } finally {
      loki.maxTailDuration(Duration.ofHours(1));
    }
  }

  @Test
  void two_hundred_viewers_share_one_upstream_tail() {
    UUID c = server.container(org, "crowd", null);
    int tailsBefore = loki.tailsOpened();
    List<Received> viewers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      viewers.add(i % 2 == 0 ? openSse(c, viewer, "limit=0") : openWs(c, viewer, "limit=0"));
    }
    Eventually.await("200 viewers joined", WAIT, () -> hubViewers() == 200 && loki.openTails(TENANT) == 1 ? true : null);
    pushNumbered(c, org, 1, 10);
    for (Received received : viewers) {
      Eventually.await("10 lines for every viewer", WAIT, () -> received.entries.size() >= 10 ? true : null);
      assertThat(received.lines()).containsExactlyElementsOf(numbered(1, 10));
    }
    assertThat(loki.tailsOpened() - tailsBefore).isEqualTo(1);
    assertThat(hubUpstreams()).isEqualTo(1);
  }

  @Test
  void slow_viewer_drops_lines_without_delaying_a_fast_one() {
    UUID c = server.container(org, "busy", null);
    Received slow = Await.result(client.smallBufferWebsocket("/api/caas/containers/" + c + "/logs?limit=0",
        LogStreamClient.headers(server.token(owner), org.toString())));
    open.add(slow);
    Received fast = openWs(c, owner, "limit=0");
    Eventually.await("both joined", WAIT, () -> hubViewers() == 2 && loki.openTails(TENANT) == 1 ? true : null);
    slow.socket.pause();
    String padding = "x".repeat(300);
    int total = 30_000;
    int batch = 50;
    long worstLagMs = 0;
    for (int from = 1; from <= total; from += batch) {
      List<Line> lines = new ArrayList<>();
      for (int i = from; i < from + batch; i++) {
        lines.add(new Line(next(), "line-" + i + " " + padding));
      }
      long pushed = System.nanoTime();
      loki.push(labels(c, org), lines);
      int expected = from + batch - 1;
      Eventually.awaitFast("the fast viewer has line " + expected, Duration.ofSeconds(5), () -> fast.entries.size() >= expected ? true : null);
      worstLagMs = Math.max(worstLagMs, (System.nanoTime() - pushed) / 1_000_000);
    }
    assertThat(worstLagMs).as("ms the fast viewer lagged behind a push, at worst").isLessThan(2000);
    assertThat(fast.lines()).hasSize(total);
    assertThat(fast.notices).isEmpty();
    assertThat(slow.entries.size()).as("the paused viewer got only part so far").isLessThan(total);
    slow.socket.resume();
    JsonObject dropped = Eventually.await("the slow viewer is told it dropped lines", WAIT,
        () -> slow.notices.stream().filter(n -> "dropped".equals(n.getString("type"))).findFirst().orElse(null));
    assertThat(dropped.getLong("count")).isPositive();
    // every line is accounted for: delivered, or counted in a dropped notice (the newest may be among the dropped)
    Eventually.await("the slow viewer accounted for every line", WAIT, () -> slow.entries.size()
        + slow.notices.stream().mapToLong(n -> n.getLong("count")).sum() == total ? true : null);
    List<Integer> numbers = slow.lines().stream().map(l -> Integer.parseInt(l.substring(5, l.indexOf(' ')))).toList();
    assertThat(numbers).as("what the slow viewer got is in order").isSorted().doesNotHaveDuplicates();
    long delivered = slow.entries.size();
    assertThat(delivered + slow.notices.stream().mapToLong(n -> n.getLong("count")).sum()).isEqualTo(total);
  }

  @Test
  void filter_with_logql_syntax_cannot_reach_another_organization() {
    String hostile = "\"} |= \"\" or {skypanel_org=\"" + otherOrg + "\"} \\ `x`";
    loki.push(labels(otherContainer, otherOrg), next(), "foreign " + hostile);
    loki.push(labels(container, org), next(), "own " + hostile);
    loki.push(labels(container, org), next(), "own unrelated");
    int before = loki.queries().size();
    Received sse = openSse(container, owner, "since=0&follow=false&filter=" + URLEncoder.encode(hostile, StandardCharsets.UTF_8));
    Eventually.await("end of stream", WAIT, () -> sse.ended ? true : null);
    String expected = "{skypanel_container=\"" + container + "\",skypanel_org=\"" + org + "\"} |= "
        + "\"\\\"} |= \\\"\\\" or {skypanel_org=\\\"" + otherOrg + "\\\"} \\\\ `x`\"";
    assertThat(loki.queries().subList(before, loki.queries().size())).containsExactly(expected);
    assertThat(sse.lines()).containsExactly("own " + hostile);
  }

  @Test
  void viewer_may_read_while_strangers_and_foreign_ids_get_404() {
    loki.push(labels(container, org), next(), "hello viewer");
    Received asViewer = openSse(container, viewer, "since=0&follow=false");
    Eventually.await("end of stream", WAIT, () -> asViewer.ended ? true : null);
    assertThat(asViewer.status).isEqualTo(200);
    assertThat(asViewer.lines()).contains("hello viewer");

    assertNotFound(sse(container, stranger, org, "follow=false"));
    assertNotFound(sse(container, stranger, otherOrg, "follow=false"));
    assertNotFound(sse(container, stranger, null, "follow=false"));
    assertNotFound(sse(UUID.randomUUID(), owner, org, "follow=false"));
    assertNotFound(Await.result(client.sse("/api/caas/containers/not-a-uuid/logs", LogStreamClient.headers(server.token(owner), org.toString()))));
    assertNotFound(Await.result(client.sse("/api/paas/environments/" + UUID.randomUUID() + "/logs", LogStreamClient.headers(server.token(owner), org.toString()))));
    Throwable refused = Await.failure(client.websocket("/api/caas/containers/" + container + "/logs?organization_id=" + otherOrg,
        LogStreamClient.headers(server.token(stranger), null)));
    assertThat(refused).isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) refused).getStatus()).isEqualTo(404);
    Received anonymous = sse(container, null, org, "follow=false");
    assertThat(anonymous.status).isEqualTo(401);
    Received badLimit = sse(container, owner, org, "limit=-1");
    assertThat(badLimit.status).isEqualTo(400);
    Eventually.await("error body", WAIT, () -> badLimit.ended ? true : null);
    assertThat(new JsonObject(badLimit.body).getJsonObject("error").getString("code")).isEqualTo("validation_failed");
  }

  @Test
  void last_event_id_resumes_after_the_last_line_received() {
    UUID c = server.container(org, "resume", null);
    List<Line> lines = new ArrayList<>();
    long shared = next();
    for (int i = 1; i <= 20; i++) {
      // lines 8..12 share one timestamp: the cursor must still find its place among them
      lines.add(new Line(i >= 8 && i <= 12 ? shared : next(), "line-" + i));
    }
    lines.sort((a, b) -> Long.compare(a.tsNanos(), b.tsNanos()));
    loki.push(labels(c, org), lines);
    Received first = openSse(c, owner, "since=0&follow=false");
    Eventually.await("end", WAIT, () -> first.ended ? true : null);
    List<String> all = first.lines();
    assertThat(all).hasSize(20);
    int at = all.indexOf("line-10");
    String id = first.entries.get(at).getString("id");
    MultiMap headers = LogStreamClient.headers(server.token(owner), org.toString()).add("Last-Event-ID", id);
    Received resumed = Await.result(client.sse("/api/caas/containers/" + c + "/logs?follow=false", headers));
    open.add(resumed);
    Eventually.await("end", WAIT, () -> resumed.ended ? true : null);
    assertThat(resumed.lines()).containsExactlyElementsOf(all.subList(at + 1, all.size()));
  }

  @Test
  void beyond_the_tail_limit_new_selectors_are_refused_with_503() {
    for (int i = 0; i < 10; i++) {
      openSse(container, owner, "limit=0&filter=f" + i);
    }
    Eventually.await("10 tails", WAIT, () -> loki.openTails(TENANT) == 10 ? true : null);
    Received refused = sse(container, owner, org, "limit=0&filter=f10");
    assertThat(refused.status).isEqualTo(503);
    Eventually.await("error body", WAIT, () -> refused.ended ? true : null);
    assertThat(new JsonObject(refused.body).getJsonObject("error").getString("code")).isEqualTo("logs_busy");
    Received shared = openSse(container, viewer, "limit=0&filter=f3");
    assertThat(shared.status).as("an open selector still accepts viewers").isEqualTo(200);
    assertThat(loki.tailsRefused()).isZero();
  }

  @Test
  void idle_streams_get_keep_alives() {
    Received sse = openSse(container, owner, "limit=0&filter=quiet");
    Eventually.await("a keep-alive comment", WAIT, () -> sse.comments.contains("keep-alive") ? true : null);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static Map<String, String> labels(UUID containerId, UUID orgId) {
    return Map.of("skypanel_org", orgId.toString(), "skypanel_container", containerId.toString(), "stream", "stdout");
  }

  private static synchronized long next() {
    clock += 1_000_000; // 1 ms apart
    return clock;
  }

  private static void pushNumbered(UUID c, UUID o, int from, int to) {
    List<Line> lines = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      lines.add(new Line(next(), "line-" + i));
    }
    loki.push(labels(c, o), lines);
  }

  private static List<String> numbered(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> "line-" + i).toList();
  }

  private Received openSse(UUID c, UUID user, String query) {
    Received received = sse(c, user, org, query);
    assertThat(received.status).as(received.body).isEqualTo(200);
    open.add(received);
    return received;
  }

  private Received openWs(UUID c, UUID user, String query) {
    Received received = Await.result(client.websocket("/api/caas/containers/" + c + "/logs?" + query,
        LogStreamClient.headers(server.token(user), org.toString())));
    open.add(received);
    return received;
  }

  private Received sse(UUID c, UUID user, UUID organization, String query) {
    Received received = Await.result(client.sse("/api/caas/containers/" + c + "/logs?" + query,
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
    assertThat(received.body).doesNotContain("Exception");
  }

  private static int hubUpstreams() {
    return onServer(() -> server.verticle().hub().upstreams());
  }

  private static int hubViewers() {
    return onServer(() -> server.verticle().hub().viewers());
  }

  private static <T> T onServer(java.util.concurrent.Callable<T> probe) {
    return Await.result(io.vertx.core.Future.<T>future(p -> server.verticle().hubContext().runOnContext(v -> {
      try {
        p.complete(probe.call());
      } catch (Exception e) {
        p.fail(e);
      }
    })));
  }
}
