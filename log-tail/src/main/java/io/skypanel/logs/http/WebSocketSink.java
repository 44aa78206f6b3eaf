package io.skypanel.logs.http;

import io.skypanel.logs.stream.LogEntry;
import io.skypanel.logs.stream.ViewerSink;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

/** WebSocket: one JSON text frame per line ({@code {ts, stream, line, id}}) or notice; pings keep it alive. */
final class WebSocketSink implements ViewerSink {

  private final ServerWebSocket socket;

  WebSocketSink(ServerWebSocket socket) {
    this.socket = socket;
    socket.handler(ignored -> { }); // the stream is one-way; whatever the client sends is ignored
  }

  @Override
  public void entry(LogEntry entry, String id) {
    socket.writeTextMessage(Events.entry(entry, id).encode());
  }

  @Override
  public void notice(JsonObject notice) {
    socket.writeTextMessage(notice.encode());
  }

  @Override
  public void keepAlive() {
    socket.writePing(Buffer.buffer());
  }

  @Override
  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  public void drainHandler(Runnable handler) {
    socket.drainHandler(v -> handler.run());
  }

  @Override
  public void end() {
    socket.close((short) 1000, "end of logs");
  }

  @Override
  public void closeHandler(Runnable handler) {
    socket.closeHandler(v -> handler.run());
  }
}
