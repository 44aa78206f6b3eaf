package io.skypanel.common.config;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.List;

/**
 * Typed, read-only view of the merged configuration. Values arrive as strings from properties and
 * environment variables; an empty string means "not set", so a documented empty default never
 * shadows the caller's own fallback.
 */
public final class Settings {

  private final JsonObject values;

  public Settings(JsonObject values) {
    this.values = values.copy();
  }

  public String string(String key, String fallback) {
    Object value = values.getValue(key);
    if (value == null) {
      return fallback;
    }
    String text = value.toString().trim();
    return text.isEmpty() ? fallback : text;
  }

  /** The value, or {@code null} when unset or blank. */
  public String optional(String key) {
    return string(key, null);
  }

  public int integer(String key, int fallback) {
    String text = string(key, null);
    if (text == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("setting " + key + " must be an integer, got '" + text + "'");
    }
  }

  public long longValue(String key, long fallback) {
    String text = string(key, null);
    if (text == null) {
      return fallback;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("setting " + key + " must be an integer, got '" + text + "'");
    }
  }

  public boolean bool(String key, boolean fallback) {
    String text = string(key, null);
    if (text == null) {
      return fallback;
    }
    return switch (text.toLowerCase()) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw new IllegalArgumentException("setting " + key + " must be true or false, got '" + text + "'");
    };
  }

  /** A comma-separated list, trimmed, blanks dropped. */
  public List<String> list(String key, List<String> fallback) {
    String text = string(key, null);
    if (text == null) {
      return fallback;
    }
    return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** A copy of every value, for handing to a child component. */
  public JsonObject asJson() {
    return values.copy();
  }

  /** A new view with {@code key} replaced; the launcher uses it to publish computed addresses. */
  public Settings with(String key, Object value) {
    JsonObject copy = values.copy();
    copy.put(key, value == null ? null : value.toString());
    return new Settings(copy);
  }
}
