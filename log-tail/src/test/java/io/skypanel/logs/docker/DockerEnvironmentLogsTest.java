package io.skypanel.logs.docker;

import io.skypanel.common.docker.Labels;
import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.TestImages;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without Loki, an environment's logs are those of every Swarm service labelled with it, as the control plane
 * labels its process services and release-phase task ({@code skypanel.org}, {@code skypanel.environment},
 * {@code skypanel.process}): merged in time order, each line naming its process, narrowed by {@code ?process=}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DockerEnvironmentLogsTest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final int LINES = 20;
  private static final Duration WAIT = Duration.ofSeconds(90);

  private static Vertx vertx;
  private static LogTailServer server;
  private static LogStreamClient client;
  private static UUID owner;
  private static UUID org;
  private static UUID otherOrg;
  private static String image;

  @BeforeAll
  static void start() {
    image = TestImages.digestOf(TestImages.busybox());
    vertx = Vertx.vertx();
    server = Await.result(LogTailServer.start(vertx, new JsonObject()
        .put("SKYPANEL_LOGS_KEEPALIVE_SECONDS", "1")
        .put("SKYPANEL_LOGS_DISCOVERY_MS", "500")
        .put("SKYPANEL_LOGS_MERGE_WINDOW_MS", "300")));
    client = new LogStreamClient(vertx, server.port());
    owner = server.user("env-owner@logs.test");
    org = server.organization("env-logs-" + RUN, owner, "owner");
    otherOrg = server.organization("env-logs-other-" + RUN, server.user("env-other@logs.test"), "owner");
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
  void streams_every_process_of_the_environment_naming_each_line_s_process() {
    UUID env = server.environment(org, "shop-" + RUN);
    service("web", org, env, "web", printer("web", LINES, false) + "; sleep 3600");
    service("worker", org, env, "worker", printer("worker", LINES, true) + "; sleep 3600");
    // the release phase: a one-off task that prints and exits, visible while its service exists
    service("release", org, env, "release", printer("release", 5, false));
    // labelled with the environment but owned by another organization: never part of it
    service("intruder", otherOrg, env, "web", printer("intruder", 5, false) + "; sleep 3600");

    Received sse = open(env, "since=0&limit=1000", false);
    Received ws = open(env, "since=0&limit=1000", true);
    int total = 2 * LINES + 5;
    for (Received received : List.of(sse, ws)) {
      Eventually.await("every process's lines", WAIT, () -> received.entries.size() >= total ? true : null);
      assertProcesses(received, List.of("web", "worker", "release"));
      assertThat(linesOf(received, "web")).containsExactlyElementsOf(numbered("web", LINES));
      assertThat(linesOf(received, "worker")).containsExactlyElementsOf(numbered("worker", LINES));
      assertThat(linesOf(received, "release")).containsExactlyElementsOf(numbered("release", 5));
      assertThat(received.entries).filteredOn(e -> e.getString("process").equals("worker"))
          .allSatisfy(e -> assertThat(e.getString("stream")).isEqualTo("stderr"));
      List<Instant> times = received.entries.stream().map(e -> Instant.parse(e.getString("ts"))).toList();
      assertThat(times).as("one time order across processes").isSorted();
    }

    // a one-off run started while viewers follow joins their streams
    service("run", org, env, "run", printer("run", 3, false) + "; sleep 3600");
    Eventually.await("the run's lines", WAIT, () -> linesOf(sse, "run").size() >= 3 && linesOf(ws, "run").size() >= 3 ? true : null);
    assertThat(linesOf(sse, "run")).containsExactlyElementsOf(numbered("run", 3));
    assertThat(sse.lines()).noneMatch(line -> line.startsWith("intruder"));
    sse.close();
    ws.close();

    Received webOnly = open(env, "since=0&follow=false&limit=1000&process=web", false);
    Eventually.await("end of the web backfill", WAIT, () -> webOnly.ended ? true : null);
    assertThat(webOnly.lines()).containsExactlyElementsOf(numbered("web", LINES));
    assertThat(webOnly.entries).allSatisfy(e -> assertThat(e.getString("process")).isEqualTo("web"));

    Received lastThree = open(env, "follow=false&limit=3", false);
    Eventually.await("end of the last three", WAIT, () -> lastThree.ended ? true : null);
    assertThat(lastThree.lines()).as("the newest lines of the whole environment").hasSize(3).contains("run-3");
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** A shell loop printing {@code <name>-1..count} 50 ms apart, to stderr when asked. */
  private static String printer(String name, int count, boolean stderr) {
    return "i=1; while [ $i -le " + count + " ]; do echo " + name + "-$i" + (stderr ? " >&2" : "") + "; i=$((i + 1)); usleep 50000; done";
  }

  /** A Swarm service labelled like the control plane labels an environment's process or release-phase service. */
  private static void service(String name, UUID organization, UUID env, String process, String script) {
    TestImages.docker("service", "create", "--detach", "--quiet", "--no-resolve-image",
        "--name", "skp-envlogs-" + name + "-" + RUN, "--restart-condition", "none",
        "--label", "skypanel.test=true", "--label", "skypanel.test.run=" + RUN,
        "--label", Labels.ORG + "=" + organization, "--label", Labels.ENVIRONMENT + "=" + env, "--label", Labels.PROCESS + "=" + process,
        image, "sh", "-c", script);
  }

  private static void assertProcesses(Received received, List<String> processes) {
    assertThat(received.entries).allSatisfy(e -> assertThat(e.getString("process")).as(e.encode()).isIn(processes));
    assertThat(received.entries).allSatisfy(e -> assertThat(e.getString("line")).startsWith(e.getString("process") + "-"));
  }

  private static List<String> linesOf(Received received, String process) {
    return received.entries.stream().filter(e -> process.equals(e.getString("process"))).map(e -> e.getString("line")).toList();
  }

  private static List<String> numbered(String name, int count) {
    return new ArrayList<>(IntStream.rangeClosed(1, count).mapToObj(i -> name + "-" + i).toList());
  }

  private static Received open(UUID env, String query, boolean websocket) {
    String path = "/api/paas/environments/" + env + "/logs?" + query;
    var headers = LogStreamClient.headers(server.token(owner), org.toString());
    Received received = Await.result(websocket ? client.websocket(path, headers) : client.sse(path, headers));
    assertThat(received.status).as(received.body).isIn(101, 200);
    return received;
  }
}
