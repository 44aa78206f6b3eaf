package io.skypanel.logs.query;

import io.skypanel.logs.stream.LogSelector;

import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the LogQL the service sends to Loki. Customers never write LogQL: the stream selector comes from the
 * labels of a resource the caller may read, and the customer's filter only ever becomes the content of one
 * double-quoted string literal after {@code |=}, escaped like a Go string ({@code \\}, {@code \"} and control
 * characters), so no filter text can close the literal and widen or change the query. Raw (backtick) strings
 * are never used.
 */
public final class LogQl {

  private LogQl() {
  }

  /** {@code {k="v",...}} with the labels in name order, then {@code |= "filter"} when there is a filter. */
  public static String query(LogSelector selector) {
    StringBuilder query = new StringBuilder(selector(selector.labels()));
    if (selector.filter() != null) {
      query.append(" |= ").append(quote(selector.filter()));
    }
    return query.toString();
  }

  /** An exact-match stream selector. */
  public static String selector(Map<String, String> labels) {
    StringBuilder out = new StringBuilder("{");
    new TreeMap<>(labels).forEach((name, value) -> {
      if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
        throw new IllegalArgumentException("not a Loki label name: " + name);
      }
      if (out.length() > 1) {
        out.append(',');
      }
      out.append(name).append('=').append(quote(value));
    });
    return out.append('}').toString();
  }

  /** A Go interpreted string literal holding exactly {@code text}. */
  public static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
