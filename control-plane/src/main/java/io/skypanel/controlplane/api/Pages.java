package io.skypanel.controlplane.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Builds {@code {"data":[...],"next_cursor":...}} from a query that fetched one row more than the page
 * size: the extra row only proves a next page exists.
 */
public final class Pages {

  private Pages() {
  }

  /** Rows carry {@code created_at} and an id field ({@code id} unless given). */
  public static JsonObject of(List<JsonObject> rows, int limit) {
    return of(rows, limit, "id");
  }

  public static JsonObject of(List<JsonObject> rows, int limit, String idField) {
    boolean more = rows.size() > limit;
    List<JsonObject> page = more ? rows.subList(0, limit) : rows;
    String next = null;
    if (more) {
      JsonObject last = page.get(page.size() - 1);
      next = new Cursor(OffsetDateTime.parse(last.getString("created_at")), UUID.fromString(last.getString(idField))).encode();
    }
    return new JsonObject().put("data", new JsonArray(List.copyOf(page))).put("next_cursor", next);
  }
}
