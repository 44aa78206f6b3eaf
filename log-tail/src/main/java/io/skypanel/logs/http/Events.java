package io.skypanel.logs.http;

import io.skypanel.logs.stream.LogEntry;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** The JSON shape of one line, the same over SSE and WebSocket; environment lines also name their {@code process}. */
final class Events {

  private Events() {
  }

  static JsonObject entry(LogEntry entry, String id) {
    Instant ts = Instant.ofEpochSecond(Math.floorDiv(entry.tsNanos(), 1_000_000_000L), Math.floorMod(entry.tsNanos(), 1_000_000_000L));
    JsonObject json = new JsonObject()
        .put("ts", ts.toString())
        .put("stream", entry.stream());
    if (entry.process() != null) {
      json.put("process", entry.process());
    }
    return json.put("line", entry.line()).put("id", id);
  }
}
