package io.skypanel.logs.stream;

import io.skypanel.common.errors.ApiException;

/** Which of a container's output streams a viewer wants. */
public enum StreamChoice {
  STDOUT, STDERR, ALL;

  public boolean stdout() {
    return this != STDERR;
  }

  public boolean stderr() {
    return this != STDOUT;
  }

  public String label() {
    return name().toLowerCase();
  }

  public static StreamChoice parse(String value) {
    if (value == null || value.isBlank()) {
      return ALL;
    }
    return switch (value.trim().toLowerCase()) {
      case "stdout" -> STDOUT;
      case "stderr" -> STDERR;
      case "all" -> ALL;
      default -> throw ApiException.validation("stream must be stdout, stderr or all", null);
    };
  }
}
