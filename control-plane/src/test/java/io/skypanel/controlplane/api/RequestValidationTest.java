package io.skypanel.controlplane.api;

import io.skypanel.controlplane.ControlPlaneVerticle;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.Await;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input is refused with a clear 4xx in the one error shape, and leaves the database untouched. */
class RequestValidationTest extends ApiTestBase {

  private record Counts(long users, long organizations, long members, long tokens, long activity) {
  }

  private static Counts counts() {
    return new Counts(server.count("users"), server.count("organizations"), server.count("organization_members"),
        server.count("api_tokens"), server.count("activity_logs"));
  }

  private static HttpResponse<Buffer> raw(HttpMethod method, String path, String token, String contentType, Buffer body) {
    var request = api.request(method, path, token);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    return Await.result(request.sendBuffer(body));
  }

  @Test
  void malformed_json_is_400_and_writes_nothing() {
    ApiClient.Session session = newUser("Parser");
    Counts before = counts();

    HttpResponse<Buffer> register = raw(HttpMethod.POST, "/api/auth/register", null, "application/json", Buffer.buffer("{\"email\": \"x@y.z\", "));
    HttpResponse<Buffer> organization = raw(HttpMethod.POST, "/api/organizations", session.token(), "application/json", Buffer.buffer("{name: 'x'}"));

    assertThat(register.statusCode()).as(register.bodyAsString()).isEqualTo(400);
    assertThat(organization.statusCode()).as(organization.bodyAsString()).isEqualTo(400);
    errorCode(register, 400);
    errorCode(organization, 400);
    assertThat(counts()).isEqualTo(before);
  }

  @Test
  void unknown_fields_are_rejected_with_details_and_nothing_is_written() {
    Counts before = counts();
    JsonObject body = new JsonObject().put("email", "eve@example.test").put("password", "long-enough-password")
        .put("name", "Eve").put("platform_role", "admin");

    HttpResponse<Buffer> response = call(HttpMethod.POST, "/api/auth/register", null, body);

    assertThat(errorCode(response, 400)).isEqualTo("validation_failed");
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getJsonArray("details")).as(response.bodyAsString()).isNotEmpty();
    assertThat(counts()).isEqualTo(before);
  }

  @Test
  void missing_and_mistyped_fields_are_400() {
    assertThat(errorCode(call(HttpMethod.POST, "/api/auth/register", null, new JsonObject().put("email", "a@b.test")), 400))
        .isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.POST, "/api/auth/register", null,
        new JsonObject().put("email", "a@b.test").put("password", 12345678901L).put("name", "A")), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.POST, "/api/auth/register", null,
        new JsonObject().put("email", "a@b.test").put("password", "short").put("name", "A")), 400)).isEqualTo("validation_failed");
  }

  @Test
  void an_oversize_body_is_413_and_writes_nothing() {
    ApiClient.Session session = newUser("Big Sender");
    Counts before = counts();
    String huge = "x".repeat(2 * 1024 * 1024);

    HttpResponse<Buffer> response = raw(HttpMethod.POST, "/api/organizations", session.token(), "application/json",
        Buffer.buffer(new JsonObject().put("name", huge).encode()));

    assertThat(errorCode(response, 413)).isEqualTo("payload_too_large");
    assertThat(counts()).isEqualTo(before);
  }

  @Test
  void a_body_that_is_not_json_is_refused() {
    ApiClient.Session session = newUser("Form Sender");
    HttpResponse<Buffer> response = raw(HttpMethod.POST, "/api/organizations", session.token(), "text/plain", Buffer.buffer("name=x"));
    assertThat(response.statusCode()).isBetween(400, 415);
    errorCode(response, response.statusCode());
  }

  @Test
  void a_body_of_the_wrong_top_level_type_is_400_on_every_operation_with_a_body() {
    ApiClient.Session session = newUser("Array Sender");
    JsonObject document = Await.result(server.platform().vertx().fileSystem().readFile(ControlPlaneVerticle.CONTRACT)).toJsonObject();
    Counts before = counts();
    List<String> operations = new ArrayList<>();
    for (String path : document.getJsonObject("paths").fieldNames()) {
      JsonObject item = document.getJsonObject("paths").getJsonObject(path);
      for (String method : item.fieldNames()) {
        Object operation = item.getValue(method);
        if (!(operation instanceof JsonObject op) || !op.containsKey("requestBody") || op.containsKey("x-skypanel-service")) {
          continue;
        }
        operations.add(op.getString("operationId"));
        // every path parameter of the contract is a uuid; the body is refused before any of them is looked up
        String concrete = path.replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
        for (String body : List.of("[]", "[{\"name\": \"x\"}]", "\"x\"", "42", "true")) {
          HttpResponse<Buffer> response = raw(HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)), concrete, session.token(),
              "application/json", Buffer.buffer(body));
          assertThat(errorCode(response, 400)).as(op.getString("operationId") + " with " + body).isEqualTo("validation_failed");
        }
      }
    }
    assertThat(operations).as("operations with a body").contains("register", "createOrganization", "createContainer", "patchContainerEnv");
    assertThat(counts()).isEqualTo(before);
  }

  @Test
  void sql_looking_input_is_rejected_cleanly_and_nothing_changes() {
    ApiClient.Session session = newUser("Bobby Tables");
    Counts before = counts();
    List<HttpResponse<Buffer>> responses = List.of(
        call(HttpMethod.POST, "/api/auth/register", null,
            new JsonObject().put("email", "x' OR '1'='1@example.test").put("password", "long-enough-password").put("name", "x")),
        call(HttpMethod.POST, "/api/auth/login", null,
            new JsonObject().put("email", "admin'--@example.test").put("password", "' OR 1=1 --")),
        call(HttpMethod.POST, "/api/organizations", session.token(),
            new JsonObject().put("name", "Robert").put("slug", "x'; DROP TABLE users; --")),
        call(HttpMethod.GET, "/api/organizations/1'%20OR%20'1'='1", session.token(), null),
        call(HttpMethod.GET, "/api/activity", session.token(), "00000000-0000-0000-0000-000000000000' OR 1=1 --", null),
        call(HttpMethod.GET, "/api/activity?action=auth'%20OR%201=1", session.token(), null),
        call(HttpMethod.DELETE, "/api/auth/tokens/1;DELETE%20FROM%20api_tokens", session.token(), null));

    for (HttpResponse<Buffer> response : responses) {
      assertThat(errorCode(response, 400)).as(response.bodyAsString()).isEqualTo("validation_failed");
    }
    assertThat(counts()).isEqualTo(before);
  }

  @Test
  void sql_in_free_text_is_stored_as_text_not_executed() {
    ApiClient.Session session = newUser("Quoter");
    String name = "Robert'); DROP TABLE organizations; --";

    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/organizations", session.token(), new JsonObject().put("name", name));

    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    assertThat(created.bodyAsJsonObject().getString("name")).isEqualTo(name);
    assertThat(created.bodyAsJsonObject().getString("slug")).matches("[a-z0-9-]+");
    assertThat(server.count("organizations")).isPositive();
  }

  @Test
  void unknown_routes_and_methods_answer_in_the_error_shape() {
    ApiClient.Session session = newUser("Wanderer");
    assertThat(errorCode(call(HttpMethod.GET, "/api/nothing-here", session.token(), null), 404)).isEqualTo("not_found");
    HttpResponse<Buffer> wrongMethod = call(HttpMethod.PUT, "/api/organizations", session.token(), new JsonObject());
    assertThat(wrongMethod.statusCode()).isIn(404, 405);
    errorCode(wrongMethod, wrongMethod.statusCode());
  }
}
