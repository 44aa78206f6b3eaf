package io.skypanel.logs.query;

import io.skypanel.common.errors.ApiException;
import io.skypanel.logs.stream.Cursor;
import io.skypanel.logs.stream.StreamChoice;
import io.vertx.core.MultiMap;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The parameters of a log stream request, validated.
 *
 * @param sinceNanos first timestamp wanted, or null for "the newest {@code limit} lines"
 * @param limit      backfill lines
 * @param filter     plain text every line must contain, or null
 * @param resume     the client's {@code Last-Event-ID}, or null
 * @param process    one process type of an environment ({@code web}, {@code worker}, {@code release}, {@code run}), or null for all
 */
public record LogRequest(Long sinceNanos, int limit, String filter, StreamChoice stream, boolean follow, Cursor resume, String process) {

  /** Longest accepted filter, in characters. */
  public static final int MAX_FILTER = 512;
  /** A process type as the control plane accepts it (the {@code paas_containers.process_type} check). */
  private static final Pattern PROCESS = Pattern.compile("[a-z][a-z0-9_-]{0,29}");

  /**
   * @param params       query parameters
   * @param lastEventId  the {@code Last-Event-ID} header (EventSource reconnects send it), or null
   * @param defaultLimit backfill lines when {@code limit} is absent
   * @param maxLimit     largest accepted {@code limit}
   */
  public static LogRequest parse(MultiMap params, String lastEventId, int defaultLimit, int maxLimit) {
    Long since = since(params.get("since"));
    int limit = limit(params.get("limit"), defaultLimit, maxLimit);
    String filter = filter(params.get("filter"));
    StreamChoice stream = StreamChoice.parse(params.get("stream"));
    boolean follow = bool("follow", params.get("follow"), true);
    String resumeText = lastEventId != null && !lastEventId.isBlank() ? lastEventId : params.get("last_event_id");
    return new LogRequest(since, limit, filter, stream, follow, Cursor.parse(resumeText), process(params.get("process")));
  }

  static String process(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (!PROCESS.matcher(text).matches()) {
      throw ApiException.validation("process must be a process type such as web, worker, release or run", null);
    }
    return text;
  }

  static Long since(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String value = text.trim();
    if (value.matches("\\d{1,12}(\\.\\d{1,9})?")) {
      int dot = value.indexOf('.');
      long seconds = Long.parseLong(dot < 0 ? value : value.substring(0, dot));
      long nanos = dot < 0 ? 0 : Long.parseLong((value.substring(dot + 1) + "000000000").substring(0, 9));
      return seconds * 1_000_000_000L + nanos;
    }
    try {
      OffsetDateTime time = OffsetDateTime.parse(value.toUpperCase(Locale.ROOT));
      long nanos = time.toEpochSecond() * 1_000_000_000L + time.getNano();
      if (nanos < 0) {
        throw invalidSince();
      }
      return nanos;
    } catch (DateTimeParseException e) {
      throw invalidSince();
    }
  }

  private static ApiException invalidSince() {
    return ApiException.validation("since must be an RFC 3339 time (2024-05-01T12:00:00Z) or Unix seconds (0 = from the start)", null);
  }

  static int limit(String text, int fallback, int max) {
    if (text == null || text.isBlank()) {
      return Math.min(fallback, max);
    }
    try {
      int limit = Integer.parseInt(text.trim());
      if (limit >= 0 && limit <= max) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.validation("limit must be an integer between 0 and " + max, null);
  }

  static String filter(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (text.length() > MAX_FILTER) {
      throw ApiException.validation("filter must be at most " + MAX_FILTER + " characters", null);
    }
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        throw ApiException.validation("filter must be plain text on one line (no control characters)", null);
      }
    }
    return text;
  }

  public static boolean bool(String name, String text, boolean fallback) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw ApiException.validation(name + " must be true or false", null);
    };
  }
}
