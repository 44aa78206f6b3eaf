package io.skypanel.controlplane.platform;

import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.ControlPlaneServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Health, readiness, metrics and the published API document. */
class PlatformEndpointsTest extends ApiTestBase {

  @Test
  void healthz_answers_without_credentials() {
    HttpResponse<Buffer> health = call(HttpMethod.GET, "/healthz", null, null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.bodyAsJsonObject().getString("status")).isEqualTo("ok");
  }

  @Test
  void readyz_reports_database_redis_and_docker_separately() {
    JsonObject report = call(HttpMethod.GET, "/readyz", null, null).bodyAsJsonObject();
    JsonObject checks = report.getJsonObject("checks");
    assertThat(checks.getJsonObject("database").getString("status")).isEqualTo("up");
    assertThat(checks.getJsonObject("redis").getString("status")).isEqualTo("up");
    JsonObject docker = checks.getJsonObject("docker");
    assertThat(docker.getString("status")).isIn("up", "down");
    if ("down".equals(docker.getString("status"))) {
      assertThat(report.getString("status")).isEqualTo("degraded");
      assertThat(docker.getString("message")).contains("orchestration unavailable");
    } else {
      assertThat(report.getString("status")).isEqualTo("ready");
      assertThat(docker.getString("api_version")).isNotBlank();
      // this machine's engine speaks API 1.41: no per-service no-new-privileges, and /readyz says so
      assertThat(docker.getBoolean("no_new_privileges")).isEqualTo(!docker.getString("api_version").matches("1\\.([0-3]?[0-9]|4[0-3])"));
    }
  }

  @Test
  void metrics_need_a_platform_admin() {
    ApiClient.Session user = newUser("Peeker");
    String admin = await(api.login(ControlPlaneServer.ADMIN_EMAIL, ControlPlaneServer.ADMIN_PASSWORD));

    assertThat(errorCode(call(HttpMethod.GET, "/metrics", null, null), 401)).isEqualTo("unauthorized");
    assertThat(errorCode(call(HttpMethod.GET, "/metrics", user.token(), null), 403)).isEqualTo("forbidden");
    HttpResponse<Buffer> scrape = call(HttpMethod.GET, "/metrics", admin, null);
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.bodyAsString()).contains("vertx_http_server_requests_total").contains("jvm_memory_used_bytes");
  }

  @Test
  void serves_the_openapi_document_it_validates_with() {
    HttpResponse<Buffer> document = call(HttpMethod.GET, "/api/openapi.json", null, null);
    assertThat(document.statusCode()).isEqualTo(200);
    JsonObject json = document.bodyAsJsonObject();
    assertThat(json.getString("openapi")).startsWith("3.1");
    assertThat(json.getJsonObject("paths").containsKey("/api/auth/register")).isTrue();
    assertThat(document.bodyAsString()).doesNotContain("__absolute_uri__");
  }

  @Test
  void every_response_carries_a_request_id() {
    HttpResponse<Buffer> response = call(HttpMethod.GET, "/api/auth/me", null, null);
    assertThat(response.getHeader("X-Request-Id")).isNotBlank();
    var echoed = await(api.request(HttpMethod.GET, "/healthz", null).putHeader("X-Request-Id", "trace-12345678").send());
    assertThat(echoed.getHeader("X-Request-Id")).isEqualTo("trace-12345678");
  }
}
