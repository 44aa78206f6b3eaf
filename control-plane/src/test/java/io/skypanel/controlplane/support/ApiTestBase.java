package io.skypanel.controlplane.support;

import io.skypanel.common.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

import static org.assertj.core.api.Assertions.assertThat;

/** Starts one control plane per test class and offers blocking request helpers for readable tests. */
public abstract class ApiTestBase {

  protected static ControlPlaneServer server;
  protected static ApiClient api;

  private static Vertx vertx;

  @BeforeAll
  static void startServer(TestInfo test) {
    // built like the launcher builds it, so Vert.x's own HTTP metrics are recorded too
    Metrics metrics = new Metrics();
    vertx = Vertx.builder().with(metrics.vertxOptions()).withMetrics(metrics.factory()).build();
    server = Await.result(ControlPlaneServer.start(vertx, metrics, staticValue(test, "controlPlaneSettings", new JsonObject()),
        staticValue(test, "sourceBuilds", null)));
    api = new ApiClient(vertx, server.port());
  }

  /**
   * A test class may declare {@code static JsonObject controlPlaneSettings()} (setting overrides) and
   * {@code static SourceBuilds sourceBuilds()} (where git pushes and webhooks submit builds); read once per class.
   */
  @SuppressWarnings("unchecked")
  private static <T> T staticValue(TestInfo test, String method, T fallback) {
    Class<?> type = test.getTestClass().orElseThrow();
    try {
      var declared = type.getDeclaredMethod(method);
      declared.setAccessible(true);
      return (T) declared.invoke(null);
    } catch (NoSuchMethodException none) {
      return fallback;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("calling " + type.getSimpleName() + "." + method + "() failed", e);
    }
  }

  @AfterAll
  static void stopServer() {
    api.close();
    Await.result(server.stop());
    Await.result(vertx.close());
  }

  protected static HttpResponse<Buffer> call(HttpMethod method, String path, String token, JsonObject body) {
    return Await.result(api.send(method, path, token, body));
  }

  protected static HttpResponse<Buffer> call(HttpMethod method, String path, String token, String organizationId, JsonObject body) {
    var request = api.request(method, path, token).putHeader("X-Organization-Id", organizationId);
    return Await.result(body == null ? request.send() : request.sendJsonObject(body));
  }

  protected static ApiClient.Session newUser(String name) {
    return Await.result(api.newUser(name));
  }

  /** Creates an organization as {@code owner} and returns its body (201 asserted). */
  protected static JsonObject createOrganization(ApiClient.Session owner, String name) {
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/organizations", owner.token(), new JsonObject().put("name", name));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  /** Adds {@code who} to the organization with {@code role} (201 asserted). */
  protected static void addMember(ApiClient.Session by, String organizationId, ApiClient.Session who, String role) {
    HttpResponse<Buffer> added = call(HttpMethod.POST, "/api/organizations/" + organizationId + "/members", by.token(),
        new JsonObject().put("email", who.email()).put("role", role));
    assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
  }

  protected static <T> T await(Future<T> future) {
    return Await.result(future);
  }

  /** Asserts the status and the uniform error shape, and returns the error code. */
  protected static String errorCode(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error).as("error body").isNotNull();
    assertThat(error.getString("message")).isNotBlank();
    assertThat(response.bodyAsString()).doesNotContain("Exception").doesNotContain("\tat ");
    return error.getString("code");
  }
}
