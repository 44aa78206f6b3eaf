package io.skypanel.controlplane.paas.webhooks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL of {@code paas_source_webhooks} and {@code paas_source_webhook_deliveries}; tenant queries are scoped by organization. */
public final class WebhookRepository {

  private static final String COLUMNS = "w.id, w.organization_id, w.app_id, w.provider, w.repository_url, w.branch, w.created_at";
  private static final String APP_EXISTS = """
      SELECT EXISTS (SELECT 1 FROM paas_apps WHERE id = $1 AND organization_id = $2 AND status <> 'deleting') AS found""";
  private static final String INSERT = """
      INSERT INTO paas_source_webhooks AS w (organization_id, app_id, provider, repository_url, branch, secret_sealed, created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING""" + " " + COLUMNS;
  private static final String BY_APP = "SELECT " + COLUMNS + " FROM paas_source_webhooks w WHERE w.app_id = $1 AND w.organization_id = $2"
      + " ORDER BY w.created_at DESC, w.id DESC";
  private static final String DELETE = "DELETE FROM paas_source_webhooks WHERE id = $1 AND app_id = $2 AND organization_id = $3";
  /** The receiver's view: any organization (the signature proves the caller), with who the builds run as. */
  private static final String FOR_DELIVERY = "SELECT " + COLUMNS + ", w.secret_sealed, w.created_by, u.email, o.slug, o.personal"
      + " FROM paas_source_webhooks w JOIN organizations o ON o.id = w.organization_id"
      + " JOIN paas_apps a ON a.id = w.app_id AND a.status <> 'deleting'"
      + " LEFT JOIN users u ON u.id = w.created_by WHERE w.id = $1";
  private static final String CLAIM = """
      INSERT INTO paas_source_webhook_deliveries (organization_id, webhook_id, delivery_id) VALUES ($3, $1, $2)
      ON CONFLICT DO NOTHING RETURNING webhook_id""";
  private static final String OUTCOME = "SELECT status_code, response FROM paas_source_webhook_deliveries WHERE webhook_id = $1 AND delivery_id = $2";
  private static final String COMPLETE = "UPDATE paas_source_webhook_deliveries SET status_code = $3, response = $4 WHERE webhook_id = $1 AND delivery_id = $2";
  private static final String RELEASE = "DELETE FROM paas_source_webhook_deliveries WHERE webhook_id = $1 AND delivery_id = $2 AND status_code IS NULL";

  /** A webhook as the receiver needs it. */
  public record Delivery(UUID id, UUID organizationId, UUID appId, String provider, String repositoryUrl, String branch,
                         String secretSealed, UUID createdBy, String creatorEmail, String orgSlug, boolean personal) {
  }

  /** The first outcome of a delivery id; {@code status} null while it is still being processed. */
  public record Outcome(Integer status, JsonObject response) {
  }

  public Future<Boolean> appExists(SqlClient client, UUID organizationId, UUID appId) {
    return client.preparedQuery(APP_EXISTS).execute(Tuple.of(appId, organizationId)).map(rows -> rows.iterator().next().getBoolean("found"));
  }

  public Future<JsonObject> insert(SqlClient client, UUID organizationId, UUID appId, String provider, String url, String branch,
                                   String secretSealed, UUID createdBy) {
    return client.preparedQuery(INSERT).execute(Tuple.of(organizationId, appId, provider, url, branch, secretSealed).addUUID(createdBy))
        .map(rows -> json(rows.iterator().next()));
  }

  public Future<List<JsonObject>> byApp(SqlClient client, UUID organizationId, UUID appId) {
    return client.preparedQuery(BY_APP).execute(Tuple.of(appId, organizationId)).map(rows -> {
      List<JsonObject> hooks = new ArrayList<>();
      rows.forEach(row -> hooks.add(json(row)));
      return hooks;
    });
  }

  public Future<Boolean> delete(SqlClient client, UUID organizationId, UUID appId, UUID id) {
    return client.preparedQuery(DELETE).execute(Tuple.of(id, appId, organizationId)).map(rows -> rows.rowCount() > 0);
  }

  public Future<Delivery> forDelivery(SqlClient client, UUID id) {
    return client.preparedQuery(FOR_DELIVERY).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Delivery(row.getUUID("id"), row.getUUID("organization_id"), row.getUUID("app_id"), row.getString("provider"),
          row.getString("repository_url"), row.getString("branch"), row.getString("secret_sealed"), row.getUUID("created_by"),
          row.getString("email"), row.getString("slug"), row.getBoolean("personal"));
    });
  }

  /** True when this delivery id is new (and now claimed); false when it was seen before. */
  public Future<Boolean> claim(SqlClient client, UUID organizationId, UUID webhookId, String deliveryId) {
    return client.preparedQuery(CLAIM).execute(Tuple.of(webhookId, deliveryId, organizationId)).map(rows -> rows.size() > 0);
  }

  public Future<Outcome> outcome(SqlClient client, UUID webhookId, String deliveryId) {
    return client.preparedQuery(OUTCOME).execute(Tuple.of(webhookId, deliveryId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      Object response = row.getValue("response");
      return new Outcome(row.getInteger("status_code"), response instanceof JsonObject json ? json : null);
    });
  }

  public Future<Void> complete(SqlClient client, UUID webhookId, String deliveryId, int status, JsonObject response) {
    return client.preparedQuery(COMPLETE).execute(Tuple.of(webhookId, deliveryId, status, response)).mapEmpty();
  }

  /** Forgets a delivery that failed before any outcome, so the provider's retry is processed. */
  public Future<Void> release(SqlClient client, UUID webhookId, String deliveryId) {
    return client.preparedQuery(RELEASE).execute(Tuple.of(webhookId, deliveryId)).mapEmpty();
  }

  private static JsonObject json(Row row) {
    String id = row.getUUID("id").toString();
    return new JsonObject()
        .put("id", id)
        .put("app_id", row.getUUID("app_id").toString())
        .put("provider", row.getString("provider"))
        .put("repository_url", row.getString("repository_url"))
        .put("branch", row.getString("branch"))
        .put("receiver_path", "/api/paas/hooks/" + id)
        .put("created_at", row.getOffsetDateTime("created_at").toString());
  }
}
