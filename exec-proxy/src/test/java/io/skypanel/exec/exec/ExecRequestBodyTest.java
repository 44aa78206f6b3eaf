package io.skypanel.exec.exec;

import io.skypanel.common.Platform;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.exec.ExecProxyVerticle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-off exec endpoint of a real exec proxy (on a control plane's database and Redis) reads its body through
 * the shared parser: JSON of the wrong top-level type is a 400, never a 500. No container is needed: the body is
 * checked before anything is looked up.
 */
class ExecRequestBodyTest extends ApiTestBase {

  private static String deployment;
  private static int port;
  private static WebClient http;

  @BeforeAll
  static void execProxy() {
    Platform shared = server.platform();
    Platform platform = new Platform(shared.vertx(), shared.settings().with("SKYPANEL_EXEC_PORT", "0").with("SKYPANEL_BIND_HOST", "127.0.0.1"),
        shared.pool(), shared.redis(), shared.redisApi(), shared.redisPrefix(), shared.docker(), shared.secrets(), shared.accessTokens(),
        shared.authenticator(), shared.events(), shared.metrics());
    ExecProxyVerticle verticle = new ExecProxyVerticle(platform);
    deployment = await(shared.vertx().deployVerticle(verticle));
    port = Integer.parseInt(verticle.endpoints().get(0).replaceAll("^http://[^:]+:(\\d+).*$", "$1"));
    http = WebClient.create(shared.vertx());
  }

  @AfterAll
  static void stopExecProxy() {
    if (http != null) {
      http.close();
    }
    if (deployment != null) {
      await(server.platform().vertx().undeploy(deployment));
    }
  }

  @Test
  void a_body_that_is_not_a_json_object_is_400_not_500() {
    ApiClient.Session developer = newUser("Exec Body");
    String path = "/api/caas/containers/" + UUID.randomUUID() + "/exec";
    for (String body : List.of("[]", "[\"ls\", \"-l\"]", "\"ls -l\"", "42", "true", "null")) {
      HttpResponse<Buffer> response = post(path, developer.token(), body);
      assertThat(errorCode(response, 400)).as(body).isEqualTo("validation_failed");
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("message")).as(body).contains("must be a JSON object");
    }
    assertThat(errorCode(post(path, developer.token(), "[\"ls\""), 400)).isEqualTo("malformed_json");
    // an object gets past the body check: the unknown container is what is refused then
    assertThat(errorCode(post(path, developer.token(), new JsonObject().put("command", "true").encode()), 404)).isEqualTo("not_found");
  }

  private static HttpResponse<Buffer> post(String path, String token, String body) {
    return await(http.post(port, "127.0.0.1", path).bearerTokenAuthentication(token)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
  }
}
