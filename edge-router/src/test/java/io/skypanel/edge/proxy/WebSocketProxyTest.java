package io.skypanel.edge.proxy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** WebSockets through the edge's own tunnel, over real sockets. */
@ExtendWith(VertxExtension.class)
class WebSocketProxyTest {

  private final RouteTable table = new RouteTable();
  private Vertx vertx;
  private HttpServer edge;
  private HttpServer upstream;
  private WebSocketClient client;
  private final AtomicReference<String> upstreamHost = new AtomicReference<>();
  private final AtomicReference<ServerWebSocket> upstreamSocket = new AtomicReference<>();

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    upstream = await(vertx.createHttpServer().webSocketHandler(socket -> {
      upstreamHost.set(socket.authority() == null ? null : socket.authority().host());
      upstreamSocket.set(socket);
      if (socket.path().equals("/echo")) {
        socket.textMessageHandler(socket::writeTextMessage);
      }
    }).listen(0, "127.0.0.1"));
    edge = await(vertx.createHttpServer().requestHandler(EdgeProxy.create(vertx, EdgeTesting.shared(table, new SimpleMeterRegistry(), host -> false)))
        .listen(0, "127.0.0.1"));
    table.replaceAll(List.of(new Route("chat.test", UUID.randomUUID(), UUID.randomUUID(), EdgeTesting.endpoints(upstream.actualPort()))));
    client = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() throws Exception {
    await(client.close());
    await(edge.close());
    await(upstream.close());
  }

  private Future<WebSocket> connect(String host, String path) {
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(edge.actualPort()).setURI(path)
        .putHeader("Host", host));
  }

  @Test
  void echoes_through_the_edge_with_the_original_host() throws Exception {
    WebSocket socket = await(connect("chat.test", "/echo"));
    CompletableFuture<String> reply = new CompletableFuture<>();
    socket.textMessageHandler(reply::complete);
    await(socket.writeTextMessage("hello through the edge"));
    assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("hello through the edge");
    assertThat(upstreamHost.get()).as("the application sees its own hostname").isEqualTo("chat.test");
    await(socket.close());
  }

  @Test
  void an_unknown_host_is_refused_without_an_upgrade() throws Exception {
    Throwable failure = connect("stranger.test", "/echo").toCompletionStage().toCompletableFuture()
        .handle((ok, err) -> err).get(10, TimeUnit.SECONDS);
    assertThat(failure).as("no upgrade for a hostname the edge does not route").isNotNull();
    assertThat(failure.getMessage()).contains("404");
    assertThat(upstreamSocket.get()).isNull();
  }

  @Test
  void closing_the_client_closes_the_upstream_socket() throws Exception {
    WebSocket socket = await(connect("chat.test", "/echo"));
    ServerWebSocket server = waitFor(upstreamSocket);
    Promise<Void> upstreamClosed = Promise.promise();
    server.closeHandler(upstreamClosed::tryComplete);
    await(socket.close());
    await(upstreamClosed.future());
  }

  /**
   * A reader that stops reading must stall the writer instead of filling the edge's memory: the upstream streams
   * 64 MiB honouring its own write queue; while the client is paused the upstream's progress stops well short of
   * that, and once the client reads again every byte arrives.
   */
  @Test
  void a_paused_reader_stalls_the_writer_and_then_receives_everything() throws Exception {
    long total = 64L * 1024 * 1024;
    WebSocket socket = await(connect("chat.test", "/stream"));
    AtomicLong received = new AtomicLong();
    socket.pause();
    socket.binaryMessageHandler(buffer -> received.addAndGet(buffer.length()));
    ServerWebSocket server = waitFor(upstreamSocket);
    AtomicLong sent = new AtomicLong();
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    vertx.runOnContext(v -> new Runnable() {
      @Override
      public void run() {
        while (sent.get() < total && !server.writeQueueFull()) {
          server.writeBinaryMessage(chunk);
          sent.addAndGet(chunk.length());
        }
        if (sent.get() < total) {
          server.drainHandler(drained -> run());
        }
      }
    }.run());

    long stalledAt = waitUntilStalled(sent);
    assertThat(stalledAt).as("bytes the upstream could push into a paused reader").isLessThan(total / 2);

    socket.resume();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (received.get() < total && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(received.get()).isEqualTo(total);
    await(socket.close());
  }

  /** Polls until {@code counter} stops moving for half a second; returns where it stopped. */
  private static long waitUntilStalled(AtomicLong counter) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long last = -1;
    long stableSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = counter.get();
      if (now != last) {
        last = now;
        stableSince = System.nanoTime();
      } else if (now > 0 && System.nanoTime() - stableSince > TimeUnit.MILLISECONDS.toNanos(500)) {
        return now;
      }
      Thread.onSpinWait();
    }
    return counter.get();
  }

  private static <T> T waitFor(AtomicReference<T> reference) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (reference.get() == null && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(reference.get()).as("the upstream accepted the socket").isNotNull();
    return reference.get();
  }
}
