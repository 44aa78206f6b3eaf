package io.skypanel.logs.stream;

import io.vertx.core.json.JsonObject;

/** A viewer's transport (Server-Sent Events or a WebSocket), written on the hub's context only. */
public interface ViewerSink {

  /** One line with its resumable id. */
  void entry(LogEntry entry, String id);

  /** A notice such as {@code {"type":"dropped","count":N}}. */
  void notice(JsonObject notice);

  /** Keeps idle connections (and proxies in between) from timing out. */
  void keepAlive();

  boolean writeQueueFull();

  void drainHandler(Runnable handler);

  /** The stream is complete ({@code follow=false}). */
  void end();

  /** Called once when the client goes away. */
  void closeHandler(Runnable handler);
}
