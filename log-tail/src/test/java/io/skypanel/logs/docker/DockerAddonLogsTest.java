package io.skypanel.logs.docker;

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
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without Loki, an add-on's logs are its server service's own logs from the local engine, like a container's. The
 * "server" is the local busybox image by content id printing a few lines; it carries the add-on's labels.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DockerAddonLogsTest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static Vertx vertx;
  private static LogTailServer server;
  private static LogStreamClient client;
  private static UUID owner;
  private static UUID org;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server = Await.result(LogTailServer.start(vertx, new JsonObject()));
    client = new LogStreamClient(vertx, server.port());
    owner = server.user("docker-addon-owner@logs.test");
    org = server.organization("docker-addon-" + RUN, owner, "owner");
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
  void streams_the_addon_servers_lines_from_the_engine() {
    UUID env = server.environment(org, "shop");
    UUID addonId = UUID.randomUUID();
    String service = TestImages.docker("service", "create", "--detach", "--quiet", "--no-resolve-image",
        "--name", "skp-addon-logs-" + RUN, "--restart-condition", "none",
        "--label", "skypanel.test=true", "--label", "skypanel.test.run=" + RUN,
        "--label", "skypanel.org=" + org, "--label", "skypanel.addon=" + addonId,
        TestImages.digestOf(TestImages.busybox()), "sh", "-c", "echo server-ready; echo server-warning >&2; sleep 3600").trim();
    UUID addon = server.addon(env, "main-db", service);

    Received received = Await.result(client.sse("/api/paas/addons/" + addon + "/logs?since=0",
        LogStreamClient.headers(server.token(owner), org.toString())));
    assertThat(received.status).as(received.body).isEqualTo(200);
    Eventually.await("both lines", WAIT, () -> received.entries.size() >= 2 ? true : null);
    assertThat(received.entries).extracting(e -> e.getString("stream") + ":" + e.getString("line"))
        .containsExactlyInAnyOrder("stdout:server-ready", "stderr:server-warning");
    received.close();

    UUID idle = server.addon(env, "not-yet", null);
    Received none = Await.result(client.sse("/api/paas/addons/" + idle + "/logs?follow=false",
        LogStreamClient.headers(server.token(owner), org.toString())));
    Eventually.await("an add-on without a server ends its stream", WAIT, () -> none.ended ? true : null);
    assertThat(none.status).isEqualTo(200);
    assertThat(none.entries).isEmpty();
  }
}
