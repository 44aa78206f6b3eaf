package io.skypanel.logs.http;

import io.skypanel.logs.stream.LogEntry;
import io.skypanel.logs.stream.ViewerSink;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Server-Sent Events: each line is an event whose {@code id:} is its cursor and whose {@code data:} is the
 * JSON {@code {ts, stream, line, id}}; notices are named events ({@code event: dropped}); keep-alives are comments.
 */
final class SseSink implements ViewerSink {

  private final HttpServerResponse response;

  SseSink(HttpServerResponse response) {
    this.response = response;
  }

  /** Writes the stream's headers; called once the stream is known to open. */
  static SseSink open(HttpServerResponse response) {
    response.setStatusCode(200)
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        // compression would hold events back in the compressor; proxies must not buffer either
        .putHeader("Content-Encoding", "identity")
        .putHeader("X-Accel-Buffering", "no");
    response.write(": stream open\n\n");
    return new SseSink(response);
  }

  @Override
  public void entry(LogEntry entry, String id) {
    response.write("id: " + id + "\ndata: " + Events.entry(entry, id).encode() + "\n\n");
  }

  @Override
  public void notice(JsonObject notice) {
    response.write("event: " + notice.getString("type") + "\ndata: " + notice.encode() + "\n\n");
  }

  @Override
  public void keepAlive() {
    response.write(": keep-alive\n\n");
  }

  @Override
  public boolean writeQueueFull() {
    return response.writeQueueFull();
  }

  @Override
  public void drainHandler(Runnable handler) {
    response.drainHandler(v -> handler.run());
  }

  @Override
  public void end() {
    if (!response.ended()) {
      response.end();
    }
  }

  @Override
  public void closeHandler(Runnable handler) {
    response.closeHandler(v -> handler.run());
    response.endHandler(v -> handler.run());
  }
}
