package io.skypanel.launcher;

import io.skypanel.common.db.DatabaseOptions;
import io.skypanel.common.testing.TestServers;
import io.skypanel.launcher.support.WholePlatform;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole process as {@code ./skypanel up} starts it, with every listener on a free port. */
@ExtendWith(VertxExtension.class)
class LauncherTest {

  private static final long TIMEOUT_SECONDS = 180;
  private static final String HOST = "127.0.0.1";

  @Test
  void starts_with_embedded_defaults_and_reports_each_dependency(Vertx vertx, @TempDir Path dataDir) throws Exception {
    // empty = unset: forces the embedded PostgreSQL and the local Redis even if the environment names servers
    JsonObject overrides = freePorts(dataDir)
        .put("DATABASE_URL", "")
        .put("REDIS_URL", "");
    RunningPlatform running = await(Launcher.start(overrides));
    List<Integer> ports = new ArrayList<>();
    try {
      assertThat(running.endpoints()).containsOnlyKeys("control-plane", "edge-router", "exec-proxy", "log-tail");
      assertThat(running.embeddedDatabase()).isPresent();
      assertThat(running.localRedis()).isPresent();
      assertThat(running.embeddedDatabase().get().dataDirectory()).isEqualTo(dataDir.resolve("postgres").toAbsolutePath().normalize());
      running.endpoints().values().forEach(urls -> urls.forEach(url -> ports.add(URI.create(url).getPort())));
      ports.add(running.embeddedDatabase().get().port());
      ports.add(running.localRedis().get().port());
      assertThat(ports).doesNotContain(0, -1);

      WebClient client = WebClient.create(vertx);
      HttpResponse<Buffer> ready = await(client.get(running.port("control-plane"), HOST, "/readyz").send());
      assertThat(ready.statusCode()).isEqualTo(200);
      JsonObject report = ready.bodyAsJsonObject();
      JsonObject checks = report.getJsonObject("checks");
      assertThat(checks.getJsonObject("database").getString("status")).isEqualTo("up");
      assertThat(checks.getJsonObject("redis").getString("status")).isEqualTo("up");
      JsonObject docker = checks.getJsonObject("docker");
      assertThat(docker).isNotNull();
      assertThat(docker.getString("status")).isIn("up", "down");
      if ("down".equals(docker.getString("status"))) {
        assertThat(docker.getString("message")).contains("orchestration unavailable");
        assertThat(report.getString("status")).isEqualTo("degraded");
      } else {
        assertThat(report.getString("status")).isEqualTo("ready");
      }

      for (String service : List.of("exec-proxy", "log-tail")) {
        HttpResponse<Buffer> health = await(client.get(running.port(service), HOST, "/healthz").send());
        assertThat(health.statusCode()).as(service + " /healthz").isEqualTo(200);
        assertThat(health.bodyAsJsonObject().getString("service")).isEqualTo(service);
      }

      HttpResponse<Buffer> unknownHost = await(client.get(running.port("edge-router"), HOST, "/")
          .virtualHost("no-such-app.invalid").send());
      assertThat(unknownHost.statusCode()).isEqualTo(404);
      client.close();
    } finally {
      await(running.stop());
    }

    for (int port : ports) {
      assertThatThrownBy(() -> {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(HOST, port), 2000);
        }
      }).as("port %d is closed after stop", port).isInstanceOf(ConnectException.class);
    }
    // stopping twice is harmless
    await(running.stop());
  }

  @Test
  void reports_orchestration_unavailable_without_docker(Vertx vertx, @TempDir Path dataDir) throws Exception {
    DatabaseOptions database = TestServers.createDatabase();
    try {
      JsonObject overrides = freePorts(dataDir)
          .mergeIn(WholePlatform.testServers(database))
          .put("DOCKER_HOST", "tcp://127.0.0.1:1");
      RunningPlatform running = await(Launcher.start(overrides));
      try {
        // configured servers are used as they are: nothing embedded is started
        assertThat(running.embeddedDatabase()).isEmpty();
        assertThat(running.localRedis()).isEmpty();
        assertThat(running.platform().docker().status().available()).isFalse();

        WebClient client = WebClient.create(vertx);
        HttpResponse<Buffer> ready = await(client.get(running.port("control-plane"), HOST, "/readyz").send());
        assertThat(ready.statusCode()).isEqualTo(200);
        JsonObject report = ready.bodyAsJsonObject();
        assertThat(report.getString("status")).isEqualTo("degraded");
        JsonObject checks = report.getJsonObject("checks");
        assertThat(checks.getJsonObject("database").getString("status")).isEqualTo("up");
        assertThat(checks.getJsonObject("redis").getString("status")).isEqualTo("up");
        assertThat(checks.getJsonObject("docker").getString("status")).isEqualTo("down");
        assertThat(checks.getJsonObject("docker").getString("message")).contains("orchestration unavailable");
        client.close();
      } finally {
        await(running.stop());
      }
    } finally {
      TestServers.dropDatabase(database);
    }
  }

  @Test
  void refuses_unknown_services_with_a_clear_message(@TempDir Path dataDir) {
    JsonObject overrides = freePorts(dataDir)
        .put("SKYPANEL_SERVICES", "control-plane,billing");
    assertThatThrownBy(() -> await(Launcher.start(overrides)))
        .hasMessageContaining("unknown service 'billing' in SKYPANEL_SERVICES")
        .hasMessageContaining("control-plane, edge-router, exec-proxy, log-tail");
  }

  /** The shared whole-platform settings, plus every service and no edge gateway (these tests need no engine). */
  private static JsonObject freePorts(Path dataDir) {
    return WholePlatform.localSettings(dataDir)
        .put("SKYPANEL_ADMIN_PORT", "0")
        .put("SKYPANEL_SERVICES", "control-plane,edge-router,exec-proxy,log-tail")
        .put("SKYPANEL_EDGE_GATEWAY", "off");
  }

  /** Waits on the test thread (never an event loop); failures surface with their own message. */
  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
