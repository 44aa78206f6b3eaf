package io.skypanel.controlplane.api;

import io.skypanel.common.errors.ApiException;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.UUID;

/**
 * Keyset pagination position: the (created_at, id) of the last item served. Opaque to clients, stable
 * under inserts, and one index range scan per page no matter how deep.
 */
public record Cursor(OffsetDateTime createdAt, UUID id) {

  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 100;

  public String encode() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((createdAt + "|" + id).getBytes(StandardCharsets.UTF_8));
  }

  /** Null for a first page; a 400 for anything that is not a cursor this server issued. */
  public static Cursor decode(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|", 2);
      return new Cursor(OffsetDateTime.parse(parts[0]), UUID.fromString(parts[1]));
    } catch (RuntimeException e) {
      throw ApiException.validation("cursor is not valid; use next_cursor from a previous page", null);
    }
  }

  public static int limit(String text) {
    return text == null ? DEFAULT_LIMIT : Math.min(Integer.parseInt(text), MAX_LIMIT);
  }
}
