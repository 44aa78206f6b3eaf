package io.skypanel.controlplane.paas.addons.engines;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an add-on's server says about itself: its data on disk and the client connections it holds (the query's own
 * connection not counted). Parsed from the output of {@link AddonEngine#metricsCommand}: one {@code key=value} or
 * {@code key:value} line per figure (Redis' {@code INFO} uses the colon, the SQL engines print the equals sign).
 */
public record ServerMetrics(long sizeBytes, long connections) {

  /** Every {@code key=value} / {@code key:value} line of {@code output}; other lines (INFO's section headers) are skipped. */
  static Map<String, String> fields(String output) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String raw : output.split("\n")) {
      String line = raw.strip();
      int eq = line.indexOf('=');
      int colon = line.indexOf(':');
      int at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
      if (line.isEmpty() || line.startsWith("#") || at <= 0) {
        continue;
      }
      fields.putIfAbsent(line.substring(0, at).strip(), line.substring(at + 1).strip());
    }
    return fields;
  }

  /**
   * The whole-number figure {@code key} of {@code fields}.
   *
   * @throws IllegalArgumentException when the server's output lacks it or it is not a number
   */
  static long number(Map<String, String> fields, String key) {
    String value = fields.get(key);
    if (value == null) {
      throw new IllegalArgumentException("the server's metrics lack " + key);
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the server's metrics have a malformed " + key + ": " + value);
    }
  }
}
