package io.skypanel.controlplane.platform;

import io.skypanel.common.metrics.Metrics;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.ControlPlaneServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** With {@code SKYPANEL_ADMIN_PORT} set, /metrics is served there without a token, and only /metrics. */
class AdminListenerTest {

  @Test
  void the_admin_port_serves_metrics_without_a_token() throws Exception {
    int adminPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      adminPort = probe.getLocalPort();
    }
    Metrics metrics = new Metrics();
    Vertx vertx = Vertx.builder().with(metrics.vertxOptions()).withMetrics(metrics.factory()).build();
    ControlPlaneServer server = Await.result(ControlPlaneServer.start(vertx, metrics, new JsonObject().put("SKYPANEL_ADMIN_PORT", Integer.toString(adminPort))));
    WebClient client = WebClient.create(vertx);
    try {
      var scrape = Await.result(client.get(adminPort, "127.0.0.1", "/metrics").send());
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.bodyAsString()).contains("jvm_memory_used_bytes");
      var other = Await.result(client.get(adminPort, "127.0.0.1", "/api/auth/me").send());
      assertThat(other.statusCode()).isEqualTo(404);
      var onApiPort = Await.result(client.get(server.port(), "127.0.0.1", "/metrics").send());
      assertThat(onApiPort.statusCode()).isEqualTo(401);
    } finally {
      client.close();
      Await.result(server.stop());
      Await.result(vertx.close());
    }
  }
}
