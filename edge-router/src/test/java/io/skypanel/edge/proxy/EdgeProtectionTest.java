package io.skypanel.edge.proxy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.skypanel.common.redis.RedisConnector;
import io.skypanel.common.testing.TestServers;
import io.skypanel.edge.limits.OrganizationConnections;
import io.skypanel.edge.limits.RedisTokenBuckets;
import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RoutePolicy;
import io.skypanel.edge.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-organization protection and HTTPS behaviour over real sockets: two edge "replicas" sharing a real Redis
 * for rate limits, connection limits, and the HTTP→HTTPS redirect with HSTS once a certificate exists.
 */
@ExtendWith(VertxExtension.class)
class EdgeProtectionTest {

  private final RouteTable table = new RouteTable();
  private final List<HttpServer> servers = new ArrayList<>();
  private final List<WebClient> clients = new ArrayList<>();
  private Vertx vertx;
  private Redis redis;
  private HttpServer upstream;

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    redis = RedisConnector.client(vertx, TestServers.REDIS_URL);
    upstream = await(vertx.createHttpServer().requestHandler(request -> request.response().end("ok")).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(WebClient::close);
    for (HttpServer server : servers) {
      await(server.close());
    }
    await(upstream.close());
    redis.close();
  }

  private HttpServer edge(EdgeProxy.Shared shared, HttpServerOptions options) throws Exception {
    HttpServer server = await(vertx.createHttpServer(options)
        .connectionHandler(connection -> connection.closeHandler(v -> shared.connections().closed(connection)))
        .requestHandler(EdgeProxy.create(vertx, shared)).listen(0, "127.0.0.1"));
    servers.add(server);
    return server;
  }

  private WebClient client() {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
    clients.add(client);
    return client;
  }

  private HttpResponse<Buffer> get(WebClient client, HttpServer edge, String host) throws Exception {
    return await(client.get(edge.actualPort(), "127.0.0.1", "/page").virtualHost(host).send());
  }

  @Test
  void a_route_rate_limit_is_shared_by_two_edge_replicas() throws Exception {
    RedisTokenBuckets buckets = new RedisTokenBuckets(RedisConnector.api(redis), TestServers.redisPrefix());
    RoutePolicy policy = new RoutePolicy(false, new RoutePolicy.RateLimit(1, 4), new RoutePolicy.RateLimit(1000, 1000), 100, 0, 0, null, true);
    table.replaceAll(List.of(new Route("limited.test", "/", UUID.randomUUID(), UUID.randomUUID(), EdgeTesting.endpoints(upstream.actualPort()), policy)));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HttpServer replicaA = edge(EdgeTesting.shared(table, registry, host -> false, new OrganizationConnections(), buckets, null), new HttpServerOptions());
    HttpServer replicaB = edge(EdgeTesting.shared(table, registry, host -> false, new OrganizationConnections(), buckets, null), new HttpServerOptions());
    WebClient client = client();

    int passed = 0;
    int limited = 0;
    for (int i = 0; i < 10; i++) {
      HttpResponse<Buffer> response = get(client, i % 2 == 0 ? replicaA : replicaB, "limited.test");
      if (response.statusCode() == 200) {
        passed++;
      } else {
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.getHeader("Retry-After")).isEqualTo("1");
        limited++;
      }
    }
    // a burst of 4 shared by both replicas, plus at most the refill of the few milliseconds the loop took
    assertThat(passed).as("requests let through by both replicas together").isBetween(4, 5);
    assertThat(limited).isEqualTo(10 - passed);
  }

  @Test
  void an_organization_over_its_connection_limit_is_refused_until_one_closes() throws Exception {
    RoutePolicy policy = new RoutePolicy(false, null, null, 2, 0, 0, null, true);
    table.replaceAll(List.of(new Route("busy.test", "/", UUID.randomUUID(), UUID.randomUUID(), EdgeTesting.endpoints(upstream.actualPort()), policy)));
    HttpServer edge = edge(EdgeTesting.shared(table, new SimpleMeterRegistry(), host -> false), new HttpServerOptions());
    WebClient first = client();
    WebClient second = client();
    WebClient third = client();
    assertThat(get(first, edge, "busy.test").statusCode()).isEqualTo(200);
    assertThat(get(second, edge, "busy.test").statusCode()).isEqualTo(200);
    HttpResponse<Buffer> refused = get(third, edge, "busy.test");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.bodyAsString()).contains("Too many open connections");
    assertThat(get(first, edge, "busy.test").statusCode()).as("an admitted connection keeps working").isEqualTo(200);

    first.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int status = 0;
    while (System.nanoTime() < deadline && (status = get(client(), edge, "busy.test").statusCode()) != 200) {
      Thread.onSpinWait();
    }
    assertThat(status).as("a freed slot is given to a new connection").isEqualTo(200);
  }

  @Test
  void plain_http_is_redirected_and_https_carries_hsts_only_once_a_certificate_exists() throws Exception {
    table.replaceAll(List.of(
        new Route("secure.test", UUID.randomUUID(), UUID.randomUUID(), EdgeTesting.endpoints(upstream.actualPort())),
        new Route("plain.test", UUID.randomUUID(), UUID.randomUUID(), EdgeTesting.endpoints(upstream.actualPort()))));
    EdgeProxy.Shared shared = EdgeTesting.shared(table, new SimpleMeterRegistry(), Set.of("secure.test")::contains);
    HttpServer plain = edge(shared, new HttpServerOptions());
    HttpServer tls = edge(shared, new HttpServerOptions().setSsl(true)
        .setKeyCertOptions(SelfSignedCertificate.create("secure.test").keyCertOptions()));
    WebClient client = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false));
    clients.add(client);

    HttpResponse<Buffer> redirect = await(client.get(plain.actualPort(), "127.0.0.1", "/page?x=1").virtualHost("secure.test").send());
    assertThat(redirect.statusCode()).isEqualTo(301);
    assertThat(redirect.getHeader("Location")).isEqualTo("https://secure.test/page?x=1");
    HttpResponse<Buffer> post = await(client.post(plain.actualPort(), "127.0.0.1", "/form").virtualHost("secure.test").sendBuffer(Buffer.buffer("a=1")));
    assertThat(post.statusCode()).as("other methods keep method and body").isEqualTo(308);
    HttpResponse<Buffer> noCertificate = await(client.get(plain.actualPort(), "127.0.0.1", "/page").virtualHost("plain.test").send());
    assertThat(noCertificate.statusCode()).isEqualTo(200);

    WebClient https = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
    clients.add(https);
    HttpResponse<Buffer> secure = await(https.get(tls.actualPort(), "127.0.0.1", "/page").virtualHost("secure.test").send());
    assertThat(secure.statusCode()).isEqualTo(200);
    assertThat(secure.getHeader("Strict-Transport-Security")).isEqualTo("max-age=31536000");
    HttpResponse<Buffer> plainOverTls = await(https.get(tls.actualPort(), "127.0.0.1", "/page").virtualHost("plain.test").send());
    assertThat(plainOverTls.getHeader("Strict-Transport-Security")).isNull();
  }
}
