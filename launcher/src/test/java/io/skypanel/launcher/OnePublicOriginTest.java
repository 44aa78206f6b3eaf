package io.skypanel.launcher;

import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.TestImages;
import io.skypanel.launcher.support.WholePlatform;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge router as the API's one public origin, whole platform in one JVM against the real engine: every request
 * below goes to the edge's plain HTTP port with Host {@code api.<base domain>} and nowhere else, and reaches the
 * control plane, the exec proxy (a console WebSocket into a busybox task) or the log tail (Server-Sent Events), by
 * path, as the OpenAPI document says.
 */
class OnePublicOriginTest {

  private static final Duration CONVERGE = Duration.ofSeconds(120);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String BASE_DOMAIN = "apps.skypanel.test";
  private static final String API_HOST = "api." + BASE_DOMAIN;

  private static WholePlatform platform;
  private static WebClient web;
  private static int edgePort;
  private static String token;
  private static String container;
  private static JsonObject createBody;
  private static String createKey;

  @BeforeAll
  static void start() throws IOException {
    // as before the shared fixture: the engine's default edge gateway, not one of this class's own
    platform = WholePlatform.builder("origin").baseDomain(BASE_DOMAIN).sharedGateway().start();
    web = platform.web();
    edgePort = platform.edgePort();

    String email = "origin-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    String password = "password-" + UUID.randomUUID();
    HttpResponse<Buffer> registered = api(HttpMethod.POST, "/api/auth/register", null,
        new JsonObject().put("email", email).put("password", password).put("name", "Origin"));
    assertThat(registered.statusCode()).as(registered.bodyAsString()).isEqualTo(201);
    platform.track(registered.bodyAsJsonObject().getJsonObject("organization").getString("id"));
    HttpResponse<Buffer> login = api(HttpMethod.POST, "/api/auth/login", null, new JsonObject().put("email", email).put("password", password));
    assertThat(login.statusCode()).as(login.bodyAsString()).isEqualTo(200);
    token = login.bodyAsJsonObject().getString("token");

    createBody = new JsonObject()
        .put("name", "shell")
        .put("image_ref", TestImages.digestOf(TestImages.busybox()))
        .put("cmd", new JsonArray().add("sh").add("-c").add("echo hello-through-the-edge; exec sleep 86400"))
        .put("resources", new JsonObject().put("cpu", 0.25).put("memory_mb", 64));
    createKey = "create-" + UUID.randomUUID();
    HttpResponse<Buffer> created = api(HttpMethod.POST, "/api/caas/containers", token, createBody, "Idempotency-Key", createKey);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(202);
    container = created.bodyAsJsonObject().getString("id");
    Eventually.await("container " + container + " running", CONVERGE, () -> {
      JsonObject state = api(HttpMethod.GET, "/api/caas/containers/" + container, token, null).bodyAsJsonObject();
      return "running".equals(state.getString("status")) && state.getInteger("running_replicas") == 1 ? state : null;
    });
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (platform == null) {
      return;
    }
    try {
      if (container != null) {
        api(HttpMethod.DELETE, "/api/caas/containers/" + container, token, null);
        Eventually.await("the container's service removed", CONVERGE, () -> TestImages.docker("service", "ls", "-q", "--filter",
            "label=skypanel.container=" + container).isBlank() ? true : null);
      }
    } finally {
      platform.close();
    }
  }

  /** A request to the edge's plain HTTP port for the API hostname; {@code headers} as name, value, name, value. */
  private static HttpResponse<Buffer> api(HttpMethod method, String uri, String bearer, JsonObject body, String... headers) {
    return viaEdge(API_HOST, method, uri, bearer, body, headers);
  }

  private static HttpResponse<Buffer> viaEdge(String host, HttpMethod method, String uri, String bearer, JsonObject body, String... headers) {
    HttpRequest<Buffer> request = web.request(method, edgePort, "127.0.0.1", uri).virtualHost(host).timeout(30_000);
    if (bearer != null) {
      request.bearerTokenAuthentication(bearer);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return Await.result(body == null ? request.send() : request.sendJsonObject(body));
  }

  @Test
  void the_control_plane_answers_through_the_edge_with_bodies_tokens_and_idempotency_keys() {
    // registration, login and the container above already went through the edge; an organization too
    HttpResponse<Buffer> org = api(HttpMethod.POST, "/api/organizations", token,
        new JsonObject().put("name", "Origin Team").put("slug", "origin-" + UUID.randomUUID().toString().substring(0, 8)));
    assertThat(org.statusCode()).as(org.bodyAsString()).isEqualTo(201);
    HttpResponse<Buffer> members = api(HttpMethod.GET, "/api/organizations/" + org.bodyAsJsonObject().getString("id") + "/members", token, null);
    assertThat(members.statusCode()).as(members.bodyAsString()).isEqualTo(200);

    HttpResponse<Buffer> replay = api(HttpMethod.POST, "/api/caas/containers", token, createBody, "Idempotency-Key", createKey);
    assertThat(replay.statusCode()).as(replay.bodyAsString()).isEqualTo(202);
    assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.bodyAsJsonObject().getString("id")).isEqualTo(container);

    assertThat(api(HttpMethod.GET, "/api/openapi.json", null, null).bodyAsJsonObject().getString("openapi")).startsWith("3.");
    assertThat(api(HttpMethod.GET, "/api/auth/me", null, null).statusCode()).as("no token, no answer").isEqualTo(401);
  }

  @Test
  void a_console_opened_through_the_edge_echoes_typed_input() {
    HttpResponse<Buffer> ticket = api(HttpMethod.POST, "/api/caas/containers/" + container + "/console/ticket", token, null);
    assertThat(ticket.statusCode()).as(ticket.bodyAsString()).isEqualTo(201);
    WebSocketClient client = platform.vertx().createWebSocketClient();
    try {
      // as a browser does: no Authorization header on the upgrade, the single-use ticket in the query
      WebSocket socket = Await.result(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(edgePort)
          .setURI("/api/caas/containers/" + container + "/console?ticket=" + ticket.bodyAsJsonObject().getString("ticket"))
          .addHeader("Host", API_HOST)));
      StringBuffer output = new StringBuffer();
      socket.binaryMessageHandler(data -> output.append(data.toString(StandardCharsets.UTF_8)));
      Await.result(socket.writeBinaryMessage(Buffer.buffer("echo $((6*7))\n")));
      Eventually.await("the shell's answer (so far: " + output + ")", WAIT, () -> output.indexOf("42\r\n") >= 0 ? true : null);
      Await.result(socket.close());
    } finally {
      client.close();
    }
    assertThat(platform.running().platform().metrics().registry().scrape()).contains("service=\"api:exec-proxy\"");
  }

  @Test
  void logs_stream_through_the_edge_as_server_sent_events() {
    HttpClient http = platform.vertx().createHttpClient();
    StringBuffer events = new StringBuffer();
    try {
      Future<HttpClientResponse> opened = http.request(new RequestOptions().setHost("127.0.0.1").setPort(edgePort)
              .setURI("/api/caas/containers/" + container + "/logs?follow=true")
              .putHeader("Host", API_HOST).putHeader("Accept", "text/event-stream").putHeader("Authorization", "Bearer " + token))
          .compose(request -> request.send()
              .map(response -> response.handler(chunk -> events.append(chunk.toString(StandardCharsets.UTF_8)))));
      HttpClientResponse response = Await.result(opened);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("Content-Type")).startsWith("text/event-stream");
      Eventually.await("the container's line on the open stream (so far: " + events + ")", WAIT,
          () -> events.indexOf("hello-through-the-edge") >= 0 ? true : null);
      response.request().connection().close();
    } finally {
      http.close();
    }
  }

  @Test
  void an_unknown_api_path_is_the_control_planes_json_404_and_other_paths_the_edges() {
    HttpResponse<Buffer> unknown = api(HttpMethod.GET, "/api/no-such-thing", token, null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.getHeader("Content-Type")).startsWith("application/json");
    assertThat(unknown.bodyAsJsonObject().getJsonObject("error").getString("code")).isNotBlank();

    HttpResponse<Buffer> outside = api(HttpMethod.GET, "/readyz", null, null);
    assertThat(outside.statusCode()).as("health and metrics stay on the service ports").isEqualTo(404);
    assertThat(outside.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");
  }

  @Test
  void another_hostname_is_never_sent_to_the_api() {
    for (String host : new String[] {"nobody-" + UUID.randomUUID() + "." + BASE_DOMAIN, "127.0.0.1", "api." + BASE_DOMAIN + ".evil.test"}) {
      HttpResponse<Buffer> response = viaEdge(host, HttpMethod.GET, "/api/openapi.json", null, null);
      assertThat(response.statusCode()).as(host).isEqualTo(404);
      assertThat(response.bodyAsString()).as(host).contains("No application").doesNotContain("openapi");
    }
    HttpResponse<Buffer> ok = viaEdge(API_HOST.toUpperCase() + ".", HttpMethod.GET, "/api/openapi.json", null, null);
    assertThat(ok.statusCode()).as("case and a trailing dot are ignored").isEqualTo(200);

    String scrape = platform.running().platform().metrics().registry().scrape();
    assertThat(scrape).contains("service=\"api:control-plane\"");
  }
}
