package io.skypanel.controlplane.paas.apps;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** SQL of {@code paas_app_buildpacks}, an app's pinned buildpacks (scoped by organization). */
public final class AppBuildpackRepository {

  private static final String LIST = """
      SELECT p.position, b.slug, b.name, b.source_url, b.active FROM paas_app_buildpacks p
      JOIN paas_buildpacks b ON b.id = p.buildpack_id
      WHERE p.app_id = $1 AND p.organization_id = $2 ORDER BY p.position""";
  private static final String ACTIVE_IDS = "SELECT id, slug FROM paas_buildpacks WHERE active AND slug = ANY($1)";
  private static final String CLEAR = "DELETE FROM paas_app_buildpacks WHERE app_id = $1 AND organization_id = $2";
  private static final String INSERT = """
      INSERT INTO paas_app_buildpacks (organization_id, app_id, position, buildpack_id) VALUES ($1, $2, $3, $4)""";

  /** The app's pins in order: {@code {ordinal, buildpack: {slug, name, url, active}}}. */
  public Future<List<JsonObject>> list(SqlClient client, UUID organizationId, UUID appId) {
    return client.preparedQuery(LIST).execute(Tuple.of(appId, organizationId)).map(rows -> {
      List<JsonObject> pins = new ArrayList<>();
      rows.forEach(row -> pins.add(new JsonObject().put("ordinal", row.getInteger("position")).put("buildpack", new JsonObject()
          .put("slug", row.getString("slug")).put("name", row.getString("name")).put("url", row.getString("source_url"))
          .put("active", row.getBoolean("active")))));
      return pins;
    });
  }

  /** The ids of those of {@code slugs} the catalog offers (active), by slug. */
  public Future<Map<String, UUID>> activeIds(SqlClient client, List<String> slugs) {
    return client.preparedQuery(ACTIVE_IDS).execute(Tuple.of(slugs.toArray(String[]::new))).map(rows -> {
      Map<String, UUID> ids = new HashMap<>();
      rows.forEach(row -> ids.put(row.getString("slug"), row.getUUID("id")));
      return ids;
    });
  }

  /** Replaces the app's pins by {@code buildpackIds} in order (empty: none). */
  public Future<Void> replace(SqlClient client, UUID organizationId, UUID appId, List<UUID> buildpackIds) {
    Future<Void> chain = client.preparedQuery(CLEAR).execute(Tuple.of(appId, organizationId)).mapEmpty();
    if (buildpackIds.isEmpty()) {
      return chain;
    }
    List<Tuple> batch = new ArrayList<>();
    for (int i = 0; i < buildpackIds.size(); i++) {
      batch.add(Tuple.of(organizationId, appId, i, buildpackIds.get(i)));
    }
    return chain.compose(v -> client.preparedQuery(INSERT).executeBatch(batch).mapEmpty());
  }
}
