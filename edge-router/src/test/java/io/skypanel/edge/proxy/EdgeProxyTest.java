package io.skypanel.edge.proxy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.skypanel.edge.observability.EdgeMetrics;
import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RoutePolicy;
import io.skypanel.edge.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The proxy chain over real sockets: a real upstream server, a closed port, and the edge in between. */
@ExtendWith(VertxExtension.class)
class EdgeProxyTest {

  private final RouteTable table = new RouteTable();
  private final AtomicInteger upstreamRequests = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Vertx vertx;
  private HttpServer upstream;
  private HttpServer edge;
  private WebClient client;
  private io.skypanel.edge.health.EndpointHealth health;

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    upstream = await(vertx.createHttpServer().requestHandler(request -> {
      upstreamRequests.incrementAndGet();
      JsonObject seen = new JsonObject();
      request.headers().forEach(header -> seen.put(header.getKey().toLowerCase(), header.getValue()));
      request.response().putHeader("Content-Type", "application/json").end(seen.encode());
    }).listen(0, "127.0.0.1"));
    EdgeProxy.Shared shared = EdgeTesting.shared(table, registry, host -> false);
    health = shared.health();
    edge = await(vertx.createHttpServer().requestHandler(EdgeProxy.create(vertx, shared)).listen(0, "127.0.0.1"));
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    await(edge.close());
    await(upstream.close());
  }

  private HttpResponse<Buffer> get(String host) throws Exception {
    return await(client.get(edge.actualPort(), "127.0.0.1", "/path?q=1").virtualHost(host).send());
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void route(String host, int... ports) {
    route(host, RoutePolicy.defaults(null, 100), ports);
  }

  private void route(String host, RoutePolicy policy, int... ports) {
    table.replaceAll(List.of(new Route(host, "/", UUID.randomUUID(), UUID.randomUUID(), EdgeTesting.endpoints(ports), policy)));
  }

  @Test
  void a_refused_endpoint_is_retried_on_another_so_no_request_fails() throws Exception {
    route("app.test", closedPort(), upstream.actualPort());
    for (int i = 0; i < 20; i++) {
      HttpResponse<Buffer> response = get("app.test");
      assertThat(response.statusCode()).as("request %d", i).isEqualTo(200);
    }
    assertThat(upstreamRequests.get()).isEqualTo(20);
    assertThat(registry.counter("skypanel.edge.retries").count()).as("retries counted").isPositive();
  }

  @Test
  void a_refused_request_goes_to_the_endpoint_it_has_not_tried_even_one_the_health_check_holds_down() throws Exception {
    route("app.test", closedPort(), upstream.actualPort(), closedPort());
    // the active check holds the answering endpoint down (a slow probe); the refusing ones are the only ones "up"
    SocketAddress answering = SocketAddress.inetSocketAddress(upstream.actualPort(), "127.0.0.1");
    health.probed(answering, false);
    health.probed(answering, false);
    for (int i = 0; i < 6; i++) {
      assertThat(get("app.test").statusCode()).as("request %d", i).isEqualTo(200);
    }
  }

  @Test
  void every_endpoint_refusing_is_a_502() throws Exception {
    route("down.test", closedPort(), closedPort());
    assertThat(get("down.test").statusCode()).isEqualTo(502);
  }

  @Test
  void an_unknown_host_is_404_without_touching_any_upstream() throws Exception {
    route("app.test", upstream.actualPort());
    HttpResponse<Buffer> response = get("stranger.test");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.bodyAsString()).contains("No application");
    assertThat(upstreamRequests.get()).isZero();
    assertThat(registry.find("skypanel.edge.requests").tags("service", "none", "code", "404", "method", "GET").counter().count()).isEqualTo(1);
  }

  @Test
  void a_route_without_running_endpoints_is_503() throws Exception {
    route("idle.test");
    assertThat(get("idle.test").statusCode()).isEqualTo(503);
    assertThat(upstreamRequests.get()).isZero();
  }

  @Test
  void maintenance_mode_is_a_503_page_without_touching_the_upstream() throws Exception {
    route("paused.test", new RoutePolicy(true, null, null, 100, 0, 0, null, true), upstream.actualPort());
    HttpResponse<Buffer> response = get("paused.test");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.getHeader("Content-Type")).startsWith("text/html");
    assertThat(response.getHeader("Retry-After")).isEqualTo("60");
    assertThat(response.bodyAsString()).contains("maintenance");
    assertThat(upstreamRequests.get()).isZero();
  }

  @Test
  void an_application_silent_past_the_route_timeout_is_a_504() throws Exception {
    HttpServer silent = await(vertx.createHttpServer().requestHandler(request -> { }).listen(0, "127.0.0.1"));
    try {
      route("slow.test", new RoutePolicy(false, null, null, 100, 0, 300, null, true), silent.actualPort());
      HttpResponse<Buffer> response = get("slow.test");
      assertThat(response.statusCode()).isEqualTo(504);
      assertThat(response.bodyAsString()).contains("did not answer in time");
    } finally {
      await(silent.close());
    }
  }

  @Test
  void an_answer_breaking_off_after_its_head_resets_the_client_connection_and_is_counted() throws Exception {
    // the application promises 100 bytes, sends 10 and dies
    HttpServer dying = await(vertx.createHttpServer().requestHandler(request -> {
      request.response().putHeader("Content-Length", "100").write("0123456789")
          .onComplete(written -> vertx.setTimer(50, t -> request.connection().close()));
    }).listen(0, "127.0.0.1"));
    try {
      route("dying.test", dying.actualPort());
      Future<HttpResponse<Buffer>> answer = client.get(edge.actualPort(), "127.0.0.1", "/").virtualHost("dying.test").send();
      assertThat(answer.toCompletionStage().toCompletableFuture().handle((ok, err) -> err).get(10, TimeUnit.SECONDS))
          .as("the client sees its connection closed, never a short body passed off as whole")
          .isInstanceOf(io.vertx.core.http.HttpClosedException.class);
      assertThat(registry.counter("skypanel.edge.upstream.broken").count()).isEqualTo(1.0);
      // the answer that did complete is not counted
      route("app.test", upstream.actualPort());
      assertThat(get("app.test").statusCode()).isEqualTo(200);
      assertThat(registry.counter("skypanel.edge.upstream.broken").count()).isEqualTo(1.0);
    } finally {
      await(dying.close());
    }
  }

  @Test
  void a_client_leaving_a_streamed_answer_is_not_counted_as_a_broken_upstream() throws Exception {
    io.vertx.core.Promise<Void> upstreamCut = io.vertx.core.Promise.promise();
    HttpServer streaming = await(vertx.createHttpServer().requestHandler(request -> {
      request.response().setChunked(true).write("event: hello\n\n");
      long timer = vertx.setPeriodic(20, t -> request.response().write("data: tick\n\n"));
      request.connection().closeHandler(v -> {
        vertx.cancelTimer(timer);
        upstreamCut.tryComplete();
      });
    }).listen(0, "127.0.0.1"));
    HttpClient raw = vertx.createHttpClient();
    try {
      route("stream.test", streaming.actualPort());
      HttpClientResponse response = await(raw.request(new RequestOptions().setPort(edge.actualPort()).setHost("127.0.0.1")
          .setURI("/").putHeader("Host", "stream.test")).compose(HttpClientRequest::send));
      assertThat(response.statusCode()).isEqualTo(200);
      await(response.request().connection().close());
      await(upstreamCut.future());
      assertThat(registry.counter("skypanel.edge.upstream.broken").count()).isZero();
    } finally {
      await(raw.close());
      await(streaming.close());
    }
  }

  /** A server that reads each request's head and closes the connection without answering (a task dying). */
  private io.vertx.core.net.NetServer hangingUp(AtomicInteger connections) throws Exception {
    return await(vertx.createNetServer().connectHandler(socket -> {
      connections.incrementAndGet();
      Buffer seen = Buffer.buffer();
      socket.handler(data -> {
        seen.appendBuffer(data);
        if (seen.toString().contains("\r\n\r\n")) {
          socket.close();
        }
      });
    }).listen(0, "127.0.0.1"));
  }

  @Test
  void a_safe_request_whose_endpoint_closed_without_answering_is_answered_by_the_next_one() throws Exception {
    AtomicInteger hungUp = new AtomicInteger();
    var dying = hangingUp(hungUp);
    try {
      route("app.test", dying.actualPort(), upstream.actualPort());
      for (int i = 0; i < 6; i++) {
        HttpResponse<Buffer> response = get("app.test");
        assertThat(response.statusCode()).as("request %d", i).isEqualTo(200);
      }
      assertThat(hungUp.get()).as("the closing endpoint was tried, then skipped").isEqualTo(1);
      assertThat(upstreamRequests.get()).isEqualTo(6);
      assertThat(registry.counter("skypanel.edge.retries").count()).isEqualTo(1.0);
    } finally {
      await(dying.close());
    }
  }

  @Test
  void a_request_with_a_body_or_an_unsafe_method_is_never_sent_twice() throws Exception {
    AtomicInteger hungUp = new AtomicInteger();
    var dying = hangingUp(hungUp);
    try {
      route("app.test", dying.actualPort(), upstream.actualPort());
      HttpResponse<Buffer> post = await(client.post(edge.actualPort(), "127.0.0.1", "/orders").virtualHost("app.test")
          .sendBuffer(Buffer.buffer("{}")));
      assertThat(post.statusCode()).isEqualTo(502);
      route("app.test", dying.actualPort(), upstream.actualPort());
      HttpResponse<Buffer> put = await(client.put(edge.actualPort(), "127.0.0.1", "/orders/1").virtualHost("app.test")
          .sendBuffer(Buffer.buffer("{}")));
      assertThat(put.statusCode()).as("idempotent, but its body was streamed away").isEqualTo(502);
      assertThat(hungUp.get()).isEqualTo(2);
      assertThat(upstreamRequests.get()).as("neither reached the next endpoint").isZero();
      assertThat(registry.counter("skypanel.edge.retries").count()).isZero();
    } finally {
      await(dying.close());
    }
  }

  @Test
  void a_safe_request_to_a_single_endpoint_gets_one_fresh_connection_then_a_502() throws Exception {
    AtomicInteger hungUp = new AtomicInteger();
    var dying = hangingUp(hungUp);
    try {
      route("app.test", dying.actualPort());
      assertThat(get("app.test").statusCode()).isEqualTo(502);
      assertThat(hungUp.get()).isEqualTo(2);
    } finally {
      await(dying.close());
    }
  }

  @Test
  void a_declared_body_over_the_route_limit_is_413_before_reaching_the_application() throws Exception {
    route("upload.test", new RoutePolicy(false, null, null, 100, 1024, 0, null, true), upstream.actualPort());
    HttpResponse<Buffer> tooBig = await(client.post(edge.actualPort(), "127.0.0.1", "/upload").virtualHost("upload.test")
        .sendBuffer(Buffer.buffer(new byte[4096])));
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(upstreamRequests.get()).isZero();

    HttpResponse<Buffer> fits = await(client.post(edge.actualPort(), "127.0.0.1", "/upload").virtualHost("upload.test")
        .sendBuffer(Buffer.buffer(new byte[512])));
    assertThat(fits.statusCode()).isEqualTo(200);
  }

  @Test
  void a_chunked_body_growing_past_the_limit_never_completes_upstream() throws Exception {
    AtomicInteger completeBodies = new AtomicInteger();
    HttpServer reader = await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      completeBodies.incrementAndGet();
      request.response().end("got " + body.length());
    })).listen(0, "127.0.0.1"));
    HttpClient raw = vertx.createHttpClient();
    try {
      route("upload.test", new RoutePolicy(false, null, null, 100, 1024, 0, null, true), reader.actualPort());
      HttpClientRequest request = await(raw.request(new RequestOptions().setMethod(HttpMethod.POST)
          .setHost("127.0.0.1").setPort(edge.actualPort()).setURI("/upload").putHeader("Host", "upload.test")));
      request.setChunked(true);
      Future<HttpClientResponse> response = request.response();
      request.write(Buffer.buffer(new byte[800]));
      request.write(Buffer.buffer(new byte[800]));
      request.end();
      assertThat(await(response).statusCode()).isEqualTo(413);
      assertThat(completeBodies.get()).as("the application never received a whole body").isZero();
    } finally {
      raw.close();
      await(reader.close());
    }
  }

  @Test
  void hop_by_hop_headers_of_the_application_never_reach_the_client_and_keep_alive_survives() throws Exception {
    HttpServer closing = await(vertx.createHttpServer().requestHandler(request -> request.response()
        .putHeader("Connection", "close, X-Hop").putHeader("Keep-Alive", "timeout=5").putHeader("X-Hop", "private")
        .putHeader("X-Kept", "yes").end("ok")).listen(0, "127.0.0.1"));
    HttpClient pooled = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setKeepAlive(true),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(1));
    try {
      route("closing.test", closing.actualPort());
      RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(edge.actualPort()).setURI("/")
          .putHeader("Host", "closing.test");
      // the body is read in a chain nested in the request's callback (see OpenApiDocumentTest#send)
      HttpClientResponse first = await(pooled.request(options)
          .compose(request -> request.send().compose(response -> response.body().map(response))));
      HttpClientResponse second = await(pooled.request(options)
          .compose(request -> request.send().compose(response -> response.body().map(response))));
      assertThat(first.getHeader("X-Kept")).isEqualTo("yes");
      assertThat(first.headers().names()).map(String::toLowerCase).doesNotContain("connection", "keep-alive", "x-hop");
      assertThat(second.request().connection()).as("the client connection stays open").isSameAs(first.request().connection());
    } finally {
      pooled.close();
      await(closing.close());
    }
  }

  @Test
  void the_upstream_learns_the_client_the_scheme_the_host_and_a_request_id() throws Exception {
    route("app.test", upstream.actualPort());
    var request = client.get(edge.actualPort(), "127.0.0.1", "/").virtualHost("app.test")
        .putHeader("X-Forwarded-For", "6.6.6.6");
    HttpResponse<Buffer> response = await(request.send());
    JsonObject seen = response.bodyAsJsonObject();
    assertThat(seen.getString("x-forwarded-for")).as("client-sent values are replaced").isEqualTo("127.0.0.1");
    assertThat(seen.getString("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.getString("x-forwarded-host")).startsWith("app.test");
    assertThat(seen.getString("forwarded")).contains("for=127.0.0.1").contains("proto=http");
    assertThat(seen.getString("host")).as("the original Host reaches the application").startsWith("app.test");
    assertThat(seen.getString("x-request-id")).isNotBlank();
    assertThat(response.getHeader("X-Request-Id")).isEqualTo(seen.getString("x-request-id"));
  }
}
