package io.skypanel.logs.http;

import io.skypanel.logs.stream.LogEntry;
import io.skypanel.logs.stream.ViewerSink;
import io.vertx.core.json.JsonObject;

/** The sink of a viewer gone before its stream started: it reports itself closed at once and drops everything. */
final class ClosedSink implements ViewerSink {

  @Override
  public void entry(LogEntry entry, String id) {
  }

  @Override
  public void notice(JsonObject notice) {
  }

  @Override
  public void keepAlive() {
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public void drainHandler(Runnable handler) {
  }

  @Override
  public void end() {
  }

  @Override
  public void closeHandler(Runnable handler) {
    handler.run();
  }
}
