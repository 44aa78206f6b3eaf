package io.skypanel.exec.console;

import io.vertx.core.json.JsonObject;

/**
 * The console's control messages, the WebSocket's text frames: today only
 * {@code {"type":"resize","cols":..,"rows":..}}. Pure parsing; the session applies what it gets.
 */
final class ConsoleControl {

  static final int MAX_DIMENSION = 1000;

  /** A terminal size the client asked for. */
  record Resize(int cols, int rows) {
  }

  /** A control message the console refuses; its message goes back to the client as {@code {"type":"error"}}. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private ConsoleControl() {
  }

  static Resize parse(String text) throws Refused {
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (RuntimeException e) {
      throw new Refused("control messages are JSON objects, e.g. {\"type\":\"resize\",\"cols\":120,\"rows\":40}");
    }
    if (!"resize".equals(message.getValue("type"))) {
      throw new Refused("unknown control message type; the only one is resize");
    }
    Object cols = message.getValue("cols");
    Object rows = message.getValue("rows");
    if (!(cols instanceof Integer c) || !(rows instanceof Integer r) || c < 1 || r < 1 || c > MAX_DIMENSION || r > MAX_DIMENSION) {
      throw new Refused("resize needs integer cols and rows between 1 and " + MAX_DIMENSION);
    }
    return new Resize(c, r);
  }
}
