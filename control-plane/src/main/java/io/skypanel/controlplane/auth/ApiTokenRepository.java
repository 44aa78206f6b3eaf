package io.skypanel.controlplane.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** SQL for API tokens. Only digests are stored; the secret exists once, in the creation response. */
public final class ApiTokenRepository {

  private static final String COLUMNS = "id, name, prefix, scopes, last_used_at, expires_at, created_at";
  private static final String INSERT = """
      INSERT INTO api_tokens (user_id, name, token_hash, prefix, scopes, expires_at)
      VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::int IS NULL THEN NULL ELSE now() + make_interval(days => $6::int) END)
      RETURNING """ + " " + COLUMNS;
  private static final String PAGE = "SELECT " + COLUMNS + """
       FROM api_tokens
      WHERE user_id = $1 AND revoked_at IS NULL
        AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
      ORDER BY created_at DESC, id DESC LIMIT $4""";
  private static final String REVOKE = """
      UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id, name""";

  public Future<JsonObject> insert(SqlClient client, UUID userId, String name, String digest, String prefix,
                                   List<String> scopes, Integer expiresInDays) {
    return client.preparedQuery(INSERT)
        .execute(Tuple.of(userId, name, digest, prefix, scopes.toArray(String[]::new), expiresInDays))
        .map(rows -> toJson(rows.iterator().next()));
  }

  public Future<List<JsonObject>> page(SqlClient client, UUID userId, OffsetDateTime beforeCreatedAt, UUID beforeId, int limit) {
    return client.preparedQuery(PAGE).execute(Tuple.of(userId, beforeCreatedAt, beforeId, limit)).map(rows -> {
      List<JsonObject> tokens = new ArrayList<>();
      rows.forEach(row -> tokens.add(toJson(row)));
      return tokens;
    });
  }

  /** The revoked token's name, or null when the caller has no such live token. */
  public Future<String> revoke(SqlClient client, UUID tokenId, UUID userId) {
    return client.preparedQuery(REVOKE).execute(Tuple.of(tokenId, userId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("name"));
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("name", row.getString("name"))
        .put("prefix", row.getString("prefix"))
        .put("scopes", new JsonArray(Arrays.asList(row.getArrayOfStrings("scopes"))))
        .put("last_used_at", timestamp(row.getOffsetDateTime("last_used_at")))
        .put("expires_at", timestamp(row.getOffsetDateTime("expires_at")))
        .put("created_at", timestamp(row.getOffsetDateTime("created_at")));
  }

  static String timestamp(OffsetDateTime value) {
    return value == null ? null : value.toString();
  }
}
