package io.skypanel.logs.stream;

/**
 * A resumable position in a log stream, sent as each event's {@code id}: {@code <ts nanos>-<n>} names the
 * {@code n}-th line at that timestamp. A client that sends it back ({@code Last-Event-ID}) gets what follows.
 */
public record Cursor(long tsNanos, int seq) {

  public String encode() {
    return tsNanos + "-" + seq;
  }

  /** The cursor in {@code text}, or null when it is not one (a stale or foreign id is simply ignored). */
  public static Cursor parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    int dash = text.indexOf('-');
    try {
      long ts = Long.parseLong(text.substring(0, dash < 0 ? text.length() : dash).trim());
      int seq = dash < 0 ? 0 : Integer.parseInt(text.substring(dash + 1).trim());
      return ts < 0 || seq < 0 ? null : new Cursor(ts, seq);
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return null;
    }
  }
}
