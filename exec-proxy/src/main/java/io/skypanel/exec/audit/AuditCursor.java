package io.skypanel.exec.audit;

import io.skypanel.common.errors.ApiException;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.UUID;

/** Keyset position in a container's audit trail: (started_at, id) of the last row served, opaque to clients. */
record AuditCursor(OffsetDateTime startedAt, UUID id) {

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  String encode() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((startedAt + "|" + id).getBytes(StandardCharsets.UTF_8));
  }

  /** Null for a first page; a 400 for anything that is not a cursor this service issued. */
  static AuditCursor decode(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|", 2);
      return new AuditCursor(OffsetDateTime.parse(parts[0]), UUID.fromString(parts[1]));
    } catch (RuntimeException e) {
      throw ApiException.validation("cursor is not valid; use next_cursor from a previous page", null);
    }
  }

  static int limit(String text) {
    if (text == null || text.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text.trim());
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // falls through
    }
    throw ApiException.validation("limit must be an integer between 1 and " + MAX_LIMIT, null);
  }
}
