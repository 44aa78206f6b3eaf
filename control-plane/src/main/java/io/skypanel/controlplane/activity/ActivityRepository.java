package io.skypanel.controlplane.activity;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL for the append-only activity log. Writes take the caller's transaction so an action and its record commit together. */
public final class ActivityRepository {

  private static final String INSERT = """
      INSERT INTO activity_logs (organization_id, user_id, action, target_type, target_id, metadata, ip)
      VALUES ($1, $2, $3, $4, $5, $6, $7::text::inet)""";
  private static final String PAGE = """
      SELECT a.id, a.organization_id, a.user_id, u.email AS user_email, a.action, a.target_type, a.target_id,
             a.metadata, host(a.ip) AS ip, a.created_at
        FROM activity_logs a LEFT JOIN users u ON u.id = a.user_id
       WHERE a.organization_id = $1
         AND ($2::text IS NULL OR a.action LIKE $2 || '%')
         AND ($3::timestamptz IS NULL OR (a.created_at, a.id) < ($3, $4))
       ORDER BY a.created_at DESC, a.id DESC
       LIMIT $5""";

  public Future<Void> insert(SqlClient client, ActivityEntry entry) {
    return client.preparedQuery(INSERT).execute(Tuple.from(new Object[] {
        entry.organizationId(), entry.userId(), entry.action(), entry.targetType(), entry.targetId(),
        entry.metadata() == null ? new JsonObject() : entry.metadata(), entry.ip()})).mapEmpty();
  }

  /** Newest first, strictly after the cursor position; {@code actionPrefix} narrows by action. */
  public Future<List<JsonObject>> page(SqlClient client, UUID organizationId, String actionPrefix,
                                       OffsetDateTime afterCreatedAt, UUID afterId, int limit) {
    String escaped = actionPrefix == null ? null : actionPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    return client.preparedQuery(PAGE).execute(Tuple.from(new Object[] {organizationId, escaped, afterCreatedAt, afterId, limit}))
        .map(rows -> {
          List<JsonObject> page = new ArrayList<>();
          for (Row row : rows) {
            page.add(new JsonObject()
                .put("id", row.getUUID("id").toString())
                .put("organization_id", row.getUUID("organization_id").toString())
                .put("user_id", row.getUUID("user_id") == null ? null : row.getUUID("user_id").toString())
                .put("user_email", row.getString("user_email"))
                .put("action", row.getString("action"))
                .put("target_type", row.getString("target_type"))
                .put("target_id", row.getString("target_id"))
                .put("metadata", row.getJsonObject("metadata"))
                .put("ip", row.getString("ip"))
                .put("created_at", row.getOffsetDateTime("created_at").toString()));
          }
          return page;
        });
  }
}
