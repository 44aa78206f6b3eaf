package io.skypanel.exec;

import io.skypanel.controlplane.support.Await;
import io.skypanel.common.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** A console client as a browser terminal would be: binary frames both ways, JSON text frames for control. */
final class ConsoleClient {

  /** How the session ended: the close code and the final {@code exit} message. */
  record Closed(short code, JsonObject exit) {
  }

  private final WebSocket socket;
  private final StringBuffer output = new StringBuffer();
  private final AtomicLong received = new AtomicLong();
  private final List<JsonObject> messages = new CopyOnWriteArrayList<>();
  private final AtomicReference<Short> closeCode = new AtomicReference<>();

  private final io.vertx.core.Context context;

  /**
   * Clients in use. Vert.x 5 closes a client once it is garbage collected, which could cut a console mid-handshake
   * ("Connection closed while handshake in process") or mid-test; holding them here prevents that.
   */
  private static final java.util.Set<WebSocketClient> IN_USE = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final WebSocketClient client;

  private ConsoleClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    this.context = io.vertx.core.Vertx.currentContext();
    socket.binaryMessageHandler(data -> {
      received.addAndGet(data.length());
      synchronized (output) {
        output.append(data.toString(StandardCharsets.UTF_8));
        if (output.length() > 1_000_000) {
          output.delete(0, output.length() - 100_000); // a flood keeps only its recent output
        }
      }
    });
    socket.textMessageHandler(text -> messages.add(new JsonObject(text)));
    socket.closeHandler(v -> closeCode.set(socket.closeStatusCode() == null ? (short) 1005 : socket.closeStatusCode()));
  }

  /** Opens a console; {@code token} and {@code organization} may be null (ticket in the query instead). */
  static Future<ConsoleClient> open(Vertx vertx, int port, String uri, String token, String organization) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    if (token != null) {
      options.addHeader("Authorization", "Bearer " + token);
    }
    if (organization != null) {
      options.addHeader("X-Organization-Id", organization);
    }
    WebSocketClient client = vertx.createWebSocketClient();
    IN_USE.add(client);
    // connected from an event loop, so the handlers the constructor sets are in place before the first frame is read
    Future<ConsoleClient> opened = Future.future(promise -> vertx.runOnContext(v ->
        client.connect(options).<ConsoleClient>map(socket -> new ConsoleClient(client, socket)).onComplete(promise)));
    return opened.onFailure(err -> {
      IN_USE.remove(client);
      client.close();
    });
  }

  static ConsoleClient connect(Vertx vertx, int port, String uri, String token, String organization) {
    return Await.result(open(vertx, port, uri, token, organization));
  }

  /** The refusal of an upgrade that must be refused: its HTTP status and JSON body. */
  static UpgradeRejectedException refused(Vertx vertx, int port, String uri, String token, String organization) {
    Throwable failure = Await.failure(open(vertx, port, uri, token, organization));
    if (!(failure instanceof UpgradeRejectedException rejected)) {
      throw new AssertionError("expected the upgrade to be refused, got " + failure, failure);
    }
    return rejected;
  }

  void type(String text) {
    Await.result(socket.writeBinaryMessage(Buffer.buffer(text)));
  }

  void resize(int cols, int rows) {
    Await.result(socket.writeTextMessage(new JsonObject().put("type", "resize").put("cols", cols).put("rows", rows).encode()));
  }

  void pause() {
    context.runOnContext(v -> socket.pause());
  }

  void resume() {
    context.runOnContext(v -> socket.resume());
  }

  long receivedBytes() {
    return received.get();
  }

  String output() {
    return output.toString();
  }

  /** Waits until the output contains {@code text}. */
  String awaitOutput(String text, Duration timeout) {
    return Eventually.await("console output containing '" + text + "' (so far: " + tail() + ")", timeout,
        () -> output.indexOf(text) >= 0 ? output.toString() : null);
  }

  /** Waits until the server closed the session. */
  Closed awaitClose(Duration timeout) {
    Short code = Eventually.await("the console to close (output so far: " + tail() + ")", timeout, closeCode::get);
    JsonObject exit = messages.stream().filter(m -> "exit".equals(m.getString("type"))).findFirst().orElse(null);
    return new Closed(code, exit);
  }

  List<JsonObject> messages() {
    return List.copyOf(messages);
  }

  void close() {
    try {
      Await.result(socket.close());
    } finally {
      IN_USE.remove(client);
      client.close();
    }
  }

  private String tail() {
    String all = output.toString();
    return all.length() <= 300 ? all : "..." + all.substring(all.length() - 300);
  }
}
