package io.skypanel.controlplane.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.UUID;

/** A thin HTTP client for the API under test, plus helpers that create users and sessions. */
public final class ApiClient {

  private final WebClient client;

  public ApiClient(Vertx vertx, int port) {
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  /** A signed-in user: their access token and personal organization. */
  public record Session(String email, String token, String userId, String personalOrganizationId) {
  }

  public HttpRequest<Buffer> request(HttpMethod method, String path, String token) {
    HttpRequest<Buffer> request = client.request(method, path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return request;
  }

  public Future<HttpResponse<Buffer>> send(HttpMethod method, String path, String token, JsonObject body) {
    HttpRequest<Buffer> request = request(method, path, token);
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  public Future<HttpResponse<Buffer>> get(String path, String token) {
    return send(HttpMethod.GET, path, token, null);
  }

  public Future<HttpResponse<Buffer>> post(String path, String token, JsonObject body) {
    return send(HttpMethod.POST, path, token, body);
  }

  /** Registers a fresh user and logs in. */
  public Future<Session> newUser(String name) {
    String email = name.toLowerCase().replaceAll("[^a-z0-9]", "") + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    String password = "password-" + UUID.randomUUID();
    return post("/api/auth/register", null, new JsonObject().put("email", email).put("password", password).put("name", name))
        .compose(registered -> expect(registered, 201).compose(user -> login(email, password).map(token -> new Session(email, token,
            user.getJsonObject("user").getString("id"), user.getJsonObject("organization").getString("id")))));
  }

  public Future<String> login(String email, String password) {
    return post("/api/auth/login", null, new JsonObject().put("email", email).put("password", password))
        .compose(response -> expect(response, 200)).map(body -> body.getString("token"));
  }

  /** The JSON body when the status matches; a failure naming both otherwise. */
  public static Future<JsonObject> expect(HttpResponse<Buffer> response, int status) {
    if (response.statusCode() != status) {
      return Future.failedFuture(new AssertionError("expected HTTP " + status + " but got " + response.statusCode() + ": " + response.bodyAsString()));
    }
    return Future.succeededFuture(response.body() == null || response.body().length() == 0 ? new JsonObject() : response.bodyAsJsonObject());
  }

  public void close() {
    client.close();
  }
}
