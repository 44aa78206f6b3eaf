package io.skypanel.logs.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Reads log streams over real sockets, as Server-Sent Events or WebSocket, collecting what arrives. */
public final class LogStreamClient {

  private final HttpClient http;
  private final WebSocketClient websockets;
  private final WebSocketClient smallBufferWebsockets;
  private final int port;
  private final Vertx vertx;

  public LogStreamClient(Vertx vertx, int port) {
    this.port = port;
    this.vertx = vertx;
    // one connection per stream, never pooled: close() ends a stream by closing its connection, and a connection
    // that had gone back to the pool would be evicted under a later request, which then never gets an answer
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(false), new PoolOptions().setHttp1MaxSize(400));
    this.websockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(400));
    // a small receive buffer lets a paused client push back on the server quickly
    this.smallBufferWebsockets = vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(16 * 1024));
  }

  /** What one stream delivered: entries ({ts, stream, line, id}), notices ({type, ...}), comments, and whether it ended. */
  public static final class Received {
    public final List<JsonObject> entries = new CopyOnWriteArrayList<>();
    public final List<JsonObject> notices = new CopyOnWriteArrayList<>();
    public final List<String> comments = new CopyOnWriteArrayList<>();
    public volatile boolean ended;
    public volatile int status;
    public volatile String contentType;
    public volatile String body = "";
    public volatile WebSocket socket;
    public volatile HttpClientResponse response;

    public List<String> lines() {
      return entries.stream().map(e -> e.getString("line")).toList();
    }

    public void close() {
      if (socket != null) {
        socket.close();
      }
      if (response != null) {
        response.request().connection().close();
      }
    }
  }

  /** Opens an SSE stream; completes once the status line arrived (errors keep their JSON body in {@code body}). */
  public Future<Received> sse(String path, MultiMap headers) {
    Received received = new Received();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(path).setHeaders(headers).setIdleTimeout(0);
    return onEventLoop(() -> http.request(options).compose(req -> req.send().compose(resp -> {
      received.status = resp.statusCode();
      received.contentType = resp.getHeader("Content-Type");
      received.response = resp;
      if (resp.statusCode() != 200) {
        return resp.body().map(b -> {
          received.body = b.toString();
          received.ended = true;
          return received;
        });
      }
      StringBuilder pending = new StringBuilder();
      resp.handler(chunk -> {
        pending.append(chunk.toString());
        int boundary;
        while ((boundary = pending.indexOf("\n\n")) >= 0) {
          String event = pending.substring(0, boundary);
          pending.delete(0, boundary + 2);
          parseEvent(event, received);
        }
      });
      resp.endHandler(v -> received.ended = true);
      resp.exceptionHandler(err -> received.ended = true);
      return Future.succeededFuture(received);
    })));
  }

  /**
   * Starts {@code open} on an event loop, so the handlers set in its callbacks are in place before the first bytes
   * of the answer are read. Chained from the test's thread instead, a callback registered after the answer arrived
   * runs too late: the lines have gone by, and for a short stream {@code handler()} throws because it already ended.
   */
  private <T> Future<T> onEventLoop(java.util.function.Supplier<Future<T>> open) {
    return Future.future(promise -> vertx.runOnContext(v -> open.get().onComplete(promise)));
  }

  private static void parseEvent(String event, Received received) {
    String name = null;
    String data = null;
    for (String line : event.split("\n")) {
      if (line.startsWith(":")) {
        received.comments.add(line.substring(1).trim());
      } else if (line.startsWith("event: ")) {
        name = line.substring(7);
      } else if (line.startsWith("data: ")) {
        data = line.substring(6);
      }
    }
    if (data == null) {
      return;
    }
    JsonObject json = new JsonObject(data);
    if (name == null) {
      received.entries.add(json);
    } else {
      received.notices.add(json);
    }
  }

  /** Opens a WebSocket stream; fails with the upgrade's rejection when the service answers an error. */
  public Future<Received> websocket(String path, MultiMap headers) {
    return websocket(websockets, path, headers);
  }

  /** A WebSocket whose socket receive buffer is small, for a client that stops reading. */
  public Future<Received> smallBufferWebsocket(String path, MultiMap headers) {
    return websocket(smallBufferWebsockets, path, headers);
  }

  private Future<Received> websocket(WebSocketClient websockets, String path, MultiMap headers) {
    Received received = new Received();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path);
    headers.forEach(options::addHeader);
    return onEventLoop(() -> websockets.connect(options).map(ws -> {
      received.socket = ws;
      received.status = 101;
      ws.textMessageHandler(text -> {
        JsonObject json = new JsonObject(text);
        if (json.containsKey("type")) {
          received.notices.add(json);
        } else {
          received.entries.add(json);
        }
      });
      ws.closeHandler(v -> received.ended = true);
      return received;
    }));
  }

  public static MultiMap headers(String token, String organizationId) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (token != null) {
      headers.add("Authorization", "Bearer " + token);
    }
    if (organizationId != null) {
      headers.add("X-Organization-Id", organizationId);
    }
    return headers;
  }

  public Future<Void> close() {
    return Future.join(http.close(), websockets.close(), smallBufferWebsockets.close()).mapEmpty();
  }

}
