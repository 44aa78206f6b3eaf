package io.skypanel.logs.docker;

import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.TestImages;
import io.skypanel.common.testing.Eventually;
import io.skypanel.logs.support.LogStreamClient;
import io.skypanel.logs.support.LogStreamClient.Received;
import io.skypanel.logs.support.LogTailServer;
import io.vertx.core.Vertx;
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
 * Without Loki, the same endpoints stream a Swarm service's own logs from the local engine. The service runs the
 * local busybox image by content id (never a tag) and prints numbered lines, odd ones to stdout and even ones to
 * stderr, a few milliseconds apart.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DockerLogsTest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final int LINES = 60;
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static Vertx vertx;
  private static LogTailServer server;
  private static LogStreamClient client;
  private static UUID owner;
  private static UUID org;
  private static String image;

  @BeforeAll
  static void start() {
    image = TestImages.digestOf(TestImages.busybox());
    vertx = Vertx.vertx();
    server = Await.result(LogTailServer.start(vertx, new JsonObject().put("SKYPANEL_LOGS_KEEPALIVE_SECONDS", "1")));
    client = new LogStreamClient(vertx, server.port());
    owner = server.user("docker-owner@logs.test");
    org = server.organization("docker-logs-" + RUN, owner, "owner");
  }

  @AfterAll
  static void stop() {
    try {
      for (String id : TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.test.run=" + RUN).split("\\s+")) {
        if (!id.isBlank()) {
          TestImages.dockerResult("service", "rm", id);
        }
      }
    } finally {
      Await.result(client.close());
      Await.result(server.stop());
      Await.result(vertx.close());
    }
  }

  @Test
  void every_line_arrives_once_in_order_over_sse_and_websocket() {
    UUID container = server.container(org, "printer", null);
    String script = "i=1; while [ $i -le " + LINES + " ]; do "
        + "if [ $((i % 2)) -eq 0 ]; then echo line-$i >&2; else echo line-$i; fi; i=$((i + 1)); usleep 50000; done; sleep 3600";
    String service = TestImages.docker("service", "create", "--detach", "--quiet", "--no-resolve-image",
        "--name", "skp-logs-" + RUN, "--restart-condition", "none",
        "--label", "skypanel.test=true", "--label", "skypanel.test.run=" + RUN,
        "--label", "skypanel.org=" + org, "--label", "skypanel.container=" + container,
        image, "sh", "-c", script).trim();
    server.attachService(container, service);

    Received sse = open(container, "since=0", false);
    Received ws = open(container, "since=0", true);
    Eventually.await("every line over SSE", WAIT, () -> sse.entries.size() >= LINES ? true : null);
    Eventually.await("every line over WebSocket", WAIT, () -> ws.entries.size() >= LINES ? true : null);
    List<String> expected = IntStream.rangeClosed(1, LINES).mapToObj(i -> "line-" + i).toList();
    for (Received received : List.of(sse, ws)) {
      assertThat(received.lines()).containsExactlyElementsOf(expected);
      for (JsonObject entry : received.entries) {
        int n = Integer.parseInt(entry.getString("line").substring(5));
        assertThat(entry.getString("stream")).as(entry.encode()).isEqualTo(n % 2 == 0 ? "stderr" : "stdout");
        assertThat(entry.getString("id")).isNotBlank();
        assertThat(entry.getString("ts")).endsWith("Z");
      }
      assertThat(received.notices).isEmpty();
    }
    sse.close();
    ws.close();

    Received stderr = open(container, "since=0&follow=false&stream=stderr&limit=1000", false);
    Eventually.await("end of the stderr backfill", WAIT, () -> stderr.ended ? true : null);
    assertThat(stderr.lines()).containsExactlyElementsOf(expected.stream().filter(l -> Integer.parseInt(l.substring(5)) % 2 == 0).toList());

    Received lastFive = open(container, "follow=false&limit=5", false);
    Eventually.await("end of the last five", WAIT, () -> lastFive.ended ? true : null);
    assertThat(lastFive.lines()).containsExactlyElementsOf(expected.subList(LINES - 5, LINES));
  }

  @Test
  void container_without_a_service_ends_cleanly_or_keeps_the_stream_alive() {
    UUID container = server.container(org, "never-deployed", null);
    Received once = open(container, "follow=false", false);
    Eventually.await("end of stream", WAIT, () -> once.ended ? true : null);
    assertThat(once.status).isEqualTo(200);
    assertThat(once.entries).isEmpty();

    Received following = open(container, "since=0", false);
    Eventually.await("a keep-alive", WAIT, () -> following.comments.contains("keep-alive") ? true : null);
    assertThat(following.ended).isFalse();
    following.close();
  }

  private static Received open(UUID container, String query, boolean websocket) {
    String path = "/api/caas/containers/" + container + "/logs?" + query;
    var headers = LogStreamClient.headers(server.token(owner), org.toString());
    Received received = Await.result(websocket ? client.websocket(path, headers) : client.sse(path, headers));
    assertThat(received.status).as(received.body).isIn(101, 200);
    return received;
  }
}
