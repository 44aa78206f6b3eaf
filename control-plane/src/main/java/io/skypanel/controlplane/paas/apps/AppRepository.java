package io.skypanel.controlplane.paas.apps;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL of {@code paas_apps}; every tenant query is scoped by organization, and apps being deleted are hidden. */
public final class AppRepository {

  private static final String COLUMNS = "a.id, a.organization_id, a.name, a.slug, a.region, a.plan_id, a.status, a.created_at, a.updated_at";
  private static final String INSERT = """
      INSERT INTO paas_apps AS a (organization_id, name, slug, region, plan_id, created_by) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT DO NOTHING RETURNING """ + " " + COLUMNS;
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM paas_apps a WHERE a.id = $1 AND a.organization_id = $2 AND a.status <> 'deleting'";
  private static final String PAGE = "SELECT " + COLUMNS + " " + """
       FROM paas_apps a WHERE a.organization_id = $1 AND a.status <> 'deleting'
        AND ($2::timestamptz IS NULL OR (a.created_at, a.id) < ($2, $3))
      ORDER BY a.created_at DESC, a.id DESC LIMIT $4""";
  private static final String UPDATE = """
      UPDATE paas_apps AS a SET region = coalesce($3, region), plan_id = coalesce($4, plan_id)
       WHERE a.id = $1 AND a.organization_id = $2 RETURNING""" + " " + COLUMNS;
  private static final String MARK_DELETING = "UPDATE paas_apps SET status = 'deleting' WHERE id = $1 AND organization_id = $2";
  private static final String COUNT = "SELECT count(*) AS apps FROM paas_apps WHERE organization_id = $1 AND status <> 'deleting'";
  private static final String PLAN_EXISTS = "SELECT EXISTS (SELECT 1 FROM paas_plans WHERE id = $1 AND active) AS found";
  /** Apps being deleted whose environments no longer have any workload on the engine. */
  private static final String DELETE_FINISHED = """
      DELETE FROM paas_apps a WHERE a.status = 'deleting'
         AND NOT EXISTS (SELECT 1 FROM paas_containers c JOIN paas_environments e ON e.id = c.environment_id WHERE e.app_id = a.id)
      RETURNING a.id""";

  /** The new app, or null when the organization already has one of that name (or the slug is taken). */
  public Future<JsonObject> insert(SqlClient client, UUID organizationId, String name, String slug, String region, UUID planId, UUID createdBy) {
    return client.preparedQuery(INSERT).execute(Tuple.of(organizationId, name, slug, region, planId, createdBy))
        .map(rows -> rows.size() == 0 ? null : json(rows.iterator().next()));
  }

  public Future<JsonObject> byId(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id, organizationId)).map(rows -> rows.size() == 0 ? null : json(rows.iterator().next()));
  }

  public Future<List<JsonObject>> page(SqlClient client, UUID organizationId, OffsetDateTime before, UUID beforeId, int limit) {
    return client.preparedQuery(PAGE).execute(Tuple.of(organizationId, before, beforeId, limit)).map(rows -> {
      List<JsonObject> apps = new ArrayList<>();
      rows.forEach(row -> apps.add(json(row)));
      return apps;
    });
  }

  public Future<JsonObject> update(SqlClient client, UUID organizationId, UUID id, String region, UUID planId) {
    return client.preparedQuery(UPDATE).execute(Tuple.of(id, organizationId, region, planId)).map(rows -> json(rows.iterator().next()));
  }

  public Future<Void> markDeleting(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(MARK_DELETING).execute(Tuple.of(id, organizationId)).mapEmpty();
  }

  public Future<Long> count(SqlClient client, UUID organizationId) {
    return client.preparedQuery(COUNT).execute(Tuple.of(organizationId)).map(rows -> rows.iterator().next().getLong("apps"));
  }

  public Future<Boolean> planExists(SqlClient client, UUID planId) {
    return client.preparedQuery(PLAN_EXISTS).execute(Tuple.of(planId)).map(rows -> rows.iterator().next().getBoolean("found"));
  }

  /** Removes the rows of deleted apps once the reconciler has torn down all their workloads; their ids. */
  public Future<List<UUID>> deleteFinished(SqlClient client) {
    return client.query(DELETE_FINISHED).execute().map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID("id")));
      return ids;
    });
  }

  private static JsonObject json(Row row) {
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("name", row.getString("name"))
        // the app's git repository is /git/<slug>.git (the slug is unique across organizations, the name is not)
        .put("slug", row.getString("slug"))
        .put("region", row.getString("region"))
        .put("plan_id", row.getUUID("plan_id") == null ? null : row.getUUID("plan_id").toString())
        .put("status", row.getString("status"))
        .put("created_at", row.getOffsetDateTime("created_at").toString())
        .put("updated_at", row.getOffsetDateTime("updated_at").toString());
  }
}
