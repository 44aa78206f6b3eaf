package io.skypanel.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the edge router will do: a Vert.x client with {@code ProxyOptions(SOCKS5)} reaching an HTTP server through
 * the relay, for plain requests and for a WebSocket carrying several MiB each way.
 */
class SocksRelayStreamTest {

  private static final int STREAM_BYTES = 8 * 1024 * 1024;
  private Vertx vertx;
  private SocksRelay relay;
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    relay = SocksRelay.start(new InetSocketAddress("127.0.0.1", 0), SocksRelayTest.ipv4("127.0.0.1")::equals, 2000, 2);
    server = await(vertx.createHttpServer()
        .webSocketHandler(socket -> {
          // echo with backpressure: pause reading while the answer is not being taken
          socket.handler(frame -> {
            socket.write(frame);
            if (socket.writeQueueFull()) {
              socket.pause();
              socket.drainHandler(drained -> socket.resume());
            }
          });
        })
        .requestHandler(request -> request.response().end("hello from " + request.path()))
        .listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() throws Exception {
    await(server.close());
    relay.close();
    await(vertx.close());
  }

  @Test
  void an_http_request_through_the_relay_gets_the_servers_answer() throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProxyOptions(socks()));
    String body = await(client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/through-the-relay")
        .compose(request -> request.send().compose(response -> response.body()))).toString();
    assertThat(body).isEqualTo("hello from /through-the-relay");
    await(client.close());
  }

  @Test
  void several_mebibytes_of_websocket_frames_come_back_intact() throws Exception {
    byte[] payload = new byte[STREAM_BYTES];
    new Random(42).nextBytes(payload);
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setProxyOptions(socks())
        .setMaxFrameSize(65536).setMaxMessageSize(65536));
    CompletableFuture<byte[]> echoed = new CompletableFuture<>();
    MessageDigest received = MessageDigest.getInstance("SHA-256");
    long[] count = {0};
    await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.actualPort()).setURI("/echo"))
        .map(socket -> {
          socket.binaryMessageHandler(frame -> {
            received.update(frame.getBytes());
            count[0] += frame.length();
            if (count[0] == STREAM_BYTES) {
              echoed.complete(received.digest());
            }
          });
          socket.exceptionHandler(echoed::completeExceptionally);
          sendAll(socket, payload, 0);
          return socket;
        }));
    assertThat(echoed.get(60, TimeUnit.SECONDS)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
    await(client.close());
  }

  /** Writes 32 KiB frames while the socket accepts them, continuing on drain. */
  private static void sendAll(io.vertx.core.http.WebSocket socket, byte[] payload, int from) {
    int offset = from;
    while (offset < payload.length) {
      int end = Math.min(payload.length, offset + 32 * 1024);
      socket.writeBinaryMessage(Buffer.buffer(java.util.Arrays.copyOfRange(payload, offset, end)));
      offset = end;
      if (socket.writeQueueFull()) {
        int next = offset;
        socket.drainHandler(drained -> sendAll(socket, payload, next));
        return;
      }
    }
  }

  private ProxyOptions socks() {
    return new ProxyOptions().setType(ProxyType.SOCKS5).setHost("127.0.0.1").setPort(relay.address().getPort());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
