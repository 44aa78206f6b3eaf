package io.skypanel.controlplane.caas.edge;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/** The edge columns of {@code paas_containers}: {@code maintenance} and {@code edge_settings} (see migration V7). */
final class EdgeSettingsRepository {

  /** What the edge knows of a container: its name (for the activity log) and its settings. */
  record Stored(String name, boolean maintenance, JsonObject settings) {
  }

  private static final String FIND = """
      SELECT name, maintenance, edge_settings FROM paas_containers
       WHERE id = $1 AND organization_id = $2 AND kind = 'container' AND status <> 'deleting'""";

  private static final String FIND_FOR_UPDATE = FIND + " FOR UPDATE";

  private static final String UPDATE = """
      UPDATE paas_containers SET maintenance = $3, edge_settings = $4
       WHERE id = $1 AND organization_id = $2""";

  Future<Stored> find(SqlClient client, UUID organizationId, UUID containerId, boolean forUpdate) {
    return client.preparedQuery(forUpdate ? FIND_FOR_UPDATE : FIND).execute(Tuple.of(containerId, organizationId))
        .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
  }

  Future<Void> update(SqlClient client, UUID organizationId, UUID containerId, boolean maintenance, JsonObject settings) {
    return client.preparedQuery(UPDATE).execute(Tuple.of(containerId, organizationId, maintenance, settings)).mapEmpty();
  }

  private static Stored stored(Row row) {
    return new Stored(row.getString("name"), row.getBoolean("maintenance"), row.getJsonObject("edge_settings"));
  }
}
