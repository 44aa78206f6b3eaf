package io.skypanel.edge.platform;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document as a path → service table: templates, literal precedence, methods, paths outside /api. */
class ApiOperationsTest {

  private static JsonObject operation(String service) {
    return service == null ? new JsonObject() : new JsonObject().put(ApiOperations.SERVICE_EXTENSION, service);
  }

  private static final ApiOperations SAMPLE = ApiOperations.from(new JsonObject().put("paths", new JsonObject()
      .put("/api/things/{id}", new JsonObject().put("get", operation("exec-proxy")))
      .put("/api/things/special", new JsonObject().put("get", operation("log-tail")))
      .put("/api/a/{x}/c", new JsonObject().put("get", operation("exec-proxy")))
      .put("/api/a/b/d", new JsonObject().put("get", operation("log-tail")))
      .put("/api/mixed/{id}", new JsonObject().put("get", operation("log-tail")).put("delete", operation(null))
          .put("parameters", new JsonObject()))
      .put("/api/plain", new JsonObject().put("post", operation(null)))));

  private static ApiOperations packaged() throws IOException {
    try (InputStream in = ApiOperationsTest.class.getClassLoader().getResourceAsStream(ApiRoutes.DOCUMENT)) {
      assertThat(in).as("the OpenAPI document on the edge's class path").isNotNull();
      return ApiOperations.from(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    }
  }

  @Test
  void a_template_parameter_matches_any_one_segment() {
    assertThat(SAMPLE.serviceFor("GET", "/api/things/42")).isEqualTo("exec-proxy");
    assertThat(SAMPLE.serviceFor("GET", "/api/things/42/more")).as("one segment only").isNull();
    assertThat(SAMPLE.serviceFor("GET", "/api/things")).isNull();
  }

  @Test
  void a_literal_segment_wins_over_a_parameter_and_falls_back_to_it() {
    assertThat(SAMPLE.serviceFor("GET", "/api/things/special")).isEqualTo("log-tail");
    assertThat(SAMPLE.serviceFor("GET", "/api/a/b/d")).isEqualTo("log-tail");
    // the literal branch /api/a/b has no /c: the parameter branch /api/a/{x}/c answers
    assertThat(SAMPLE.serviceFor("GET", "/api/a/b/c")).isEqualTo("exec-proxy");
  }

  @Test
  void the_method_decides_when_a_path_is_shared_and_undeclared_methods_follow_the_path() {
    assertThat(SAMPLE.serviceFor("GET", "/api/mixed/1")).isEqualTo("log-tail");
    assertThat(SAMPLE.serviceFor("DELETE", "/api/mixed/1")).isEqualTo(ApiOperations.CONTROL_PLANE);
    assertThat(SAMPLE.serviceFor("OPTIONS", "/api/mixed/1")).as("services disagree: the control plane").isEqualTo(ApiOperations.CONTROL_PLANE);
    assertThat(SAMPLE.serviceFor("OPTIONS", "/api/things/1")).as("a preflight goes where the path's operations go").isEqualTo("exec-proxy");
    assertThat(SAMPLE.serviceFor("get", "/api/plain")).isEqualTo(ApiOperations.CONTROL_PLANE);
  }

  @Test
  void dot_segments_empty_segments_and_escaped_letters_are_resolved_as_the_services_resolve_them() {
    assertThat(SAMPLE.serviceFor("GET", "/api/things/x/../special")).isEqualTo("log-tail");
    assertThat(SAMPLE.serviceFor("GET", "/api/things/%2e%2e/things/special")).isEqualTo("log-tail");
    assertThat(SAMPLE.serviceFor("GET", "//api/things/%73pecial/")).isEqualTo("log-tail");
    assertThat(SAMPLE.serviceFor("GET", "/api/things/special/..")).as("/api/things has no operation").isNull();
    assertThat(SAMPLE.serviceFor("GET", "/../../api/things/special")).as("above the root").isNull();
  }

  @Test
  void paths_outside_the_document_match_nothing() {
    assertThat(SAMPLE.serviceFor("GET", "/")).isNull();
    assertThat(SAMPLE.serviceFor("GET", "/metrics")).isNull();
    assertThat(SAMPLE.serviceFor("GET", "/things/special")).isNull();
    assertThat(SAMPLE.serviceFor("GET", "/apix/things/special")).isNull();
  }

  @Test
  void the_packaged_document_sends_consoles_execs_and_logs_to_their_services() throws IOException {
    ApiOperations operations = packaged();
    String container = "/api/caas/containers/0b7c4c0e-98f3-4f5a-9d51-2d0f7d1a6c11";
    assertThat(operations.services()).contains(ApiOperations.CONTROL_PLANE, "exec-proxy", "log-tail");
    assertThat(operations.serviceFor("GET", container + "/console")).isEqualTo("exec-proxy");
    assertThat(operations.serviceFor("POST", container + "/console/ticket")).isEqualTo("exec-proxy");
    assertThat(operations.serviceFor("POST", container + "/exec")).isEqualTo("exec-proxy");
    assertThat(operations.serviceFor("GET", container + "/exec-audit/0b7c4c0e-98f3-4f5a-9d51-2d0f7d1a6c12/transcript")).isEqualTo("exec-proxy");
    assertThat(operations.serviceFor("DELETE", "/api/admin/exec/sessions/s-1")).isEqualTo("exec-proxy");
    assertThat(operations.serviceFor("GET", container + "/logs")).isEqualTo("log-tail");
    assertThat(operations.serviceFor("GET", "/api/paas/environments/0b7c4c0e-98f3-4f5a-9d51-2d0f7d1a6c11/logs")).isEqualTo("log-tail");
    assertThat(operations.serviceFor("GET", container)).isEqualTo(ApiOperations.CONTROL_PLANE);
    assertThat(operations.serviceFor("POST", "/api/auth/login")).isEqualTo(ApiOperations.CONTROL_PLANE);
    assertThat(operations.serviceFor("GET", "/api/openapi.json")).as("served by the control plane, not an operation").isNull();
  }
}
