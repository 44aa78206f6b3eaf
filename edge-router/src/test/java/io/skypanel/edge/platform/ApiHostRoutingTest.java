package io.skypanel.edge.platform;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.skypanel.common.config.Settings;
import io.skypanel.common.testing.Eventually;
import io.skypanel.edge.EdgeOptions;
import io.skypanel.edge.health.EndpointHealth;
import io.skypanel.edge.limits.OrganizationConnections;
import io.skypanel.edge.observability.EdgeMetrics;
import io.skypanel.edge.proxy.EdgeProxy;
import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API hostname through the edge's proxy chain over real sockets: three stand-in services (each answers with its
 * name and what it received), a tenant's upstream, and the path table from the packaged OpenAPI document.
 */
@ExtendWith(VertxExtension.class)
class ApiHostRoutingTest {

  private static final String API_HOST = "api.platform.test";
  private static final String CONTAINER = "/api/caas/containers/" + UUID.randomUUID();
  /** The edge's upstream timeout here; the log stream below stays silent longer than this between events. */
  private static final long UPSTREAM_TIMEOUT_MS = 400;

  private final RouteTable table = new RouteTable();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger serviceRequests = new AtomicInteger();
  private Vertx vertx;
  private HttpServer controlPlane;
  private HttpServer execProxy;
  private HttpServer logTail;
  private HttpServer tenant;
  private HttpServer edge;
  private WebClient client;

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A stand-in service: JSON with its name, the request line, the headers and the body it received. */
  private HttpServer service(String name) throws Exception {
    return await(vertx.createHttpServer().webSocketHandshakeHandler(handshake -> handshake.accept())
        .webSocketHandler(ws -> ws.textMessageHandler(text -> ws.writeTextMessage(name + " echoes " + text)))
        .requestHandler(request -> {
          serviceRequests.incrementAndGet();
          if (request.path().endsWith("/logs")) {
            // a log stream: one event at once, another after a silence longer than the edge's upstream timeout
            request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            request.response().write("data: first\n\n");
            vertx.setTimer(UPSTREAM_TIMEOUT_MS * 3, id -> request.response().write("data: second\n\n"));
            return;
          }
          if (request.path().equals("/api/slow")) {
            return; // never answers
          }
          long delay = request.path().endsWith("/exec") && request.getHeader("X-Test-Slow") != null ? UPSTREAM_TIMEOUT_MS * 3 : 0;
          request.body().onSuccess(body -> vertx.setTimer(Math.max(1, delay), id -> {
            JsonObject headers = new JsonObject();
            request.headers().forEach(header -> headers.put(header.getKey().toLowerCase(), header.getValue()));
            request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                .put("service", name).put("method", request.method().name()).put("uri", request.uri())
                .put("headers", headers).put("body", body.toString()).encode());
          }));
        }).listen(0, "127.0.0.1"));
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    controlPlane = service("control-plane");
    execProxy = service("exec-proxy");
    logTail = service("log-tail");
    tenant = service("tenant");
    table.replaceAll(List.of(new Route("shop.tenant.test", UUID.randomUUID(), UUID.randomUUID(),
        List.of(SocketAddress.inetSocketAddress(tenant.actualPort(), "127.0.0.1")))));
    edge = edge(controlPlane.actualPort());
    client = WebClient.create(vertx);
  }

  private HttpServer edge(int controlPlanePort) throws Exception {
    return edge(controlPlanePort, false);
  }

  private HttpServer edge(int controlPlanePort, boolean forceHttps) throws Exception {
    Settings settings = new Settings(new JsonObject()
        .put("SKYPANEL_API_FORCE_HTTPS", Boolean.toString(forceHttps))
        .put("SKYPANEL_API_HOSTNAME", API_HOST)
        .put("SKYPANEL_EDGE_UPSTREAM_TIMEOUT_MS", Long.toString(UPSTREAM_TIMEOUT_MS))
        .put("SKYPANEL_EDGE_API_UPSTREAM_CONTROL_PLANE", "127.0.0.1:" + controlPlanePort)
        .put("SKYPANEL_EDGE_API_UPSTREAM_EXEC_PROXY", "127.0.0.1:" + execProxy.actualPort())
        .put("SKYPANEL_EDGE_API_UPSTREAM_LOG_TAIL", "127.0.0.1:" + logTail.actualPort()));
    EdgeOptions options = EdgeOptions.from(settings);
    ApiRoutes api = await(ApiRoutes.load(vertx, operations -> ApiOptions.from(settings, operations.services(), options.upstreamTimeoutMs())));
    EdgeProxy.Shared shared = new EdgeProxy.Shared(options, table, new EdgeMetrics(registry, table), new EndpointHealth(2),
        new OrganizationConnections(), null, null, api.httpsReady(host -> false), api, () -> null);
    return await(vertx.createHttpServer().requestHandler(EdgeProxy.create(vertx, shared)).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    for (HttpServer server : new HttpServer[] {edge, controlPlane, execProxy, logTail, tenant}) {
      await(server.close());
    }
  }

  private HttpResponse<Buffer> send(HttpMethod method, String host, String uri, String body, Map<String, String> headers) throws Exception {
    var request = client.request(method, edge.actualPort(), "127.0.0.1", uri).virtualHost(host);
    headers.forEach(request::putHeader);
    return await(body == null ? request.send() : request.sendBuffer(Buffer.buffer(body)));
  }

  private JsonObject seenBy(HttpMethod method, String uri) throws Exception {
    HttpResponse<Buffer> response = send(method, API_HOST, uri, null, Map.of());
    assertThat(response.statusCode()).as(uri + ": " + response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  @Test
  void each_api_path_reaches_the_service_the_openapi_document_names() throws Exception {
    assertThat(seenBy(HttpMethod.GET, CONTAINER).getString("service")).isEqualTo("control-plane");
    assertThat(seenBy(HttpMethod.POST, CONTAINER + "/console/ticket").getString("service")).isEqualTo("exec-proxy");
    assertThat(seenBy(HttpMethod.POST, CONTAINER + "/exec").getString("service")).isEqualTo("exec-proxy");
    assertThat(seenBy(HttpMethod.GET, "/api/admin/exec/sessions").getString("service")).isEqualTo("exec-proxy");
    assertThat(seenBy(HttpMethod.GET, "/api/openapi.json").getString("service")).isEqualTo("control-plane");
    assertThat(seenBy(HttpMethod.GET, "/api/no/such/operation?x=1").getString("uri")).as("unknown /api paths: the control plane's 404")
        .isEqualTo("/api/no/such/operation?x=1");
    assertThat(registry.counter("skypanel.edge.requests", "service", "api:exec-proxy", "method", "POST", "code", "200").count())
        .isEqualTo(2);
  }

  @Test
  void git_smart_http_paths_reach_the_control_plane_with_their_query_and_credentials() throws Exception {
    JsonObject refs = seenBy(HttpMethod.GET, "/git/shop-acme.git/info/refs?service=git-receive-pack");
    assertThat(refs.getString("service")).isEqualTo("control-plane");
    assertThat(refs.getString("uri")).isEqualTo("/git/shop-acme.git/info/refs?service=git-receive-pack");
    HttpResponse<Buffer> pack = send(HttpMethod.POST, API_HOST, "/git/shop-acme.git/git-receive-pack", "0000",
        Map.of("Authorization", "Basic Z2l0OnNrcF94", "Content-Type", "application/x-git-receive-pack-request"));
    assertThat(pack.bodyAsJsonObject().getString("service")).isEqualTo("control-plane");
    assertThat(pack.bodyAsJsonObject().getString("body")).isEqualTo("0000");
    assertThat(pack.bodyAsJsonObject().getJsonObject("headers").getString("authorization")).isEqualTo("Basic Z2l0OnNrcF94");
  }

  @Test
  void bodies_credentials_and_idempotency_keys_pass_and_the_edge_names_the_client() throws Exception {
    HttpResponse<Buffer> response = send(HttpMethod.POST, API_HOST, "/api/caas/containers", "{\"name\":\"web\"}", Map.of(
        "Authorization", "Bearer skp_secret", "Idempotency-Key", "key-123", "Content-Type", "application/json",
        "X-Forwarded-For", "6.6.6.6"));
    JsonObject seen = response.bodyAsJsonObject();
    JsonObject headers = seen.getJsonObject("headers");
    assertThat(seen.getString("body")).isEqualTo("{\"name\":\"web\"}");
    assertThat(headers.getString("authorization")).isEqualTo("Bearer skp_secret");
    assertThat(headers.getString("idempotency-key")).isEqualTo("key-123");
    assertThat(headers.getString("x-forwarded-for")).as("the client's claim is replaced").isEqualTo("127.0.0.1");
    assertThat(headers.getString("x-forwarded-proto")).isEqualTo("http");
    assertThat(headers.getString("host")).startsWith(API_HOST);
    assertThat(response.getHeader("X-Request-Id")).isNotBlank();
  }

  @Test
  void paths_outside_api_are_a_json_404_from_the_edge_itself() throws Exception {
    for (String path : List.of("/", "/metrics", "/readyz", "/apix", "/git", "/gitx/a.git")) {
      HttpResponse<Buffer> response = send(HttpMethod.GET, API_HOST, path, null, Map.of());
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(response.getHeader("Content-Type")).startsWith("application/json");
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");
    }
    assertThat(serviceRequests.get()).as("no service asked").isZero();
  }

  @Test
  void other_hostnames_keep_their_tenant_routes_and_never_reach_the_api() throws Exception {
    assertThat(send(HttpMethod.GET, "shop.tenant.test", "/api/auth/login", null, Map.of()).bodyAsJsonObject().getString("service"))
        .isEqualTo("tenant");
    HttpResponse<Buffer> unknown = send(HttpMethod.GET, "nobody.tenant.test", "/api/openapi.json", null, Map.of());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsString()).contains("No application");
    assertThat(serviceRequests.get()).as("only the tenant asked").isEqualTo(1);
  }

  @Test
  void plain_http_is_served_by_default_and_redirected_once_https_is_forced() throws Exception {
    assertThat(send(HttpMethod.GET, API_HOST, "/api/auth/me", null, Map.of()).statusCode()).isEqualTo(200);
    await(edge.close());
    edge = edge(controlPlane.actualPort(), true);
    client.close();
    client = WebClient.create(vertx, new io.vertx.ext.web.client.WebClientOptions().setFollowRedirects(false));
    HttpResponse<Buffer> get = send(HttpMethod.GET, API_HOST, "/api/auth/me?x=1", null, Map.of());
    assertThat(get.statusCode()).isEqualTo(301);
    assertThat(get.getHeader("Location")).isEqualTo("https://" + API_HOST + "/api/auth/me?x=1");
    HttpResponse<Buffer> post = send(HttpMethod.POST, API_HOST, "/api/auth/login", "{}", Map.of());
    assertThat(post.statusCode()).as("the method and body are kept").isEqualTo(308);
    assertThat(send(HttpMethod.GET, "shop.tenant.test", "/", null, Map.of()).statusCode()).as("tenants unaffected").isEqualTo(200);
    assertThat(serviceRequests.get()).as("only the first request and the tenant's were proxied").isEqualTo(2);
  }

  @Test
  void an_unreachable_service_is_a_json_502(Vertx vertx) throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    await(edge.close());
    edge = edge(closed);
    HttpResponse<Buffer> response = send(HttpMethod.GET, API_HOST, "/api/auth/me", null, Map.of());
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("upstream_unavailable");
    assertThat(seenBy(HttpMethod.GET, "/api/admin/exec/sessions").getString("service")).as("other services unaffected").isEqualTo("exec-proxy");
  }

  @Test
  void a_one_off_exec_may_take_longer_than_the_upstream_timeout_but_a_silent_control_plane_is_a_json_504() throws Exception {
    HttpResponse<Buffer> exec = send(HttpMethod.POST, API_HOST, CONTAINER + "/exec", "{}", Map.of("X-Test-Slow", "yes"));
    assertThat(exec.statusCode()).as(exec.bodyAsString()).isEqualTo(200);
    assertThat(exec.bodyAsJsonObject().getString("service")).isEqualTo("exec-proxy");

    HttpResponse<Buffer> slow = send(HttpMethod.GET, API_HOST, "/api/slow", null, Map.of());
    assertThat(slow.statusCode()).isEqualTo(504);
    assertThat(slow.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("upstream_timeout");
  }

  @Test
  void a_log_stream_arrives_event_by_event_and_outlives_the_upstream_timeout() throws Exception {
    HttpClient http = vertx.createHttpClient();
    List<String> events = new CopyOnWriteArrayList<>();
    HttpClientResponse response = await(http.request(new RequestOptions().setHost("127.0.0.1").setPort(edge.actualPort())
            .setURI(CONTAINER + "/logs").putHeader("Host", API_HOST).putHeader("Accept", "text/event-stream"))
        .compose(request -> request.send().map(answer -> answer.handler(chunk -> events.add(chunk.toString())))));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("text/event-stream");
    Eventually.await("the first event, while the stream is still open", Duration.ofSeconds(5),
        () -> String.join("", events).contains("data: first") ? true : null);
    Eventually.await("the second event, after a silence longer than the upstream timeout", Duration.ofSeconds(5),
        () -> String.join("", events).contains("data: second") ? true : null);
    await(http.close());
  }

  @Test
  void a_console_websocket_is_tunnelled_to_the_exec_proxy() throws Exception {
    WebSocketClient websockets = vertx.createWebSocketClient();
    WebSocket socket = await(websockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(edge.actualPort())
        .setURI(CONTAINER + "/console").addHeader("Host", API_HOST)));
    List<String> received = new CopyOnWriteArrayList<>();
    socket.textMessageHandler(received::add);
    await(socket.writeTextMessage("ls"));
    Eventually.await("the echo", Duration.ofSeconds(5), () -> received.contains("exec-proxy echoes ls") ? true : null);
    await(socket.close());
    await(websockets.close());
  }
}
