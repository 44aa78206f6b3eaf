package io.skypanel.controlplane.caas.edge;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * The edge columns {@code maintenance} and {@code edge_settings} of a container ({@code paas_containers}, migration V7)
 * or of an environment ({@code paas_environments}, V11; the edge applies them to the environment's web process).
 */
final class EdgeSettingsRepository {

  /**
   * What the edge knows of a target: its name (for the activity log), its settings, and the workload whose routes
   * carry them (the container itself, or the environment's web process; null before the first deploy).
   */
  record Stored(String name, boolean maintenance, JsonObject settings, UUID workloadId) {
  }

  private static final String FIND_CONTAINER = """
      SELECT name, maintenance, edge_settings, id AS workload_id FROM paas_containers
       WHERE id = $1 AND organization_id = $2 AND kind = 'container' AND status <> 'deleting'""";
  private static final String FIND_ENVIRONMENT = """
      SELECT a.name || '/' || e.name AS name, e.maintenance, e.edge_settings,
             (SELECT c.id FROM paas_containers c WHERE c.environment_id = e.id AND c.kind = 'process' AND c.process_type = 'web'
                 AND c.status <> 'deleting') AS workload_id
        FROM paas_environments e JOIN paas_apps a ON a.id = e.app_id
       WHERE e.id = $1 AND e.organization_id = $2 AND e.status <> 'deleting' AND a.status <> 'deleting'""";

  private static final String UPDATE_CONTAINER = """
      UPDATE paas_containers SET maintenance = $3, edge_settings = $4
       WHERE id = $1 AND organization_id = $2""";
  private static final String UPDATE_ENVIRONMENT = """
      UPDATE paas_environments SET maintenance = $3, edge_settings = $4
       WHERE id = $1 AND organization_id = $2""";

  Future<Stored> find(SqlClient client, UUID organizationId, EdgeTarget target, boolean forUpdate) {
    String sql = target.kind() == EdgeTarget.Kind.CONTAINER ? FIND_CONTAINER + (forUpdate ? " FOR UPDATE" : "")
        : FIND_ENVIRONMENT + (forUpdate ? " FOR UPDATE OF e" : "");
    return client.preparedQuery(sql).execute(Tuple.of(target.id(), organizationId))
        .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
  }

  Future<Void> update(SqlClient client, UUID organizationId, EdgeTarget target, boolean maintenance, JsonObject settings) {
    String sql = target.kind() == EdgeTarget.Kind.CONTAINER ? UPDATE_CONTAINER : UPDATE_ENVIRONMENT;
    return client.preparedQuery(sql).execute(Tuple.of(target.id(), organizationId, maintenance, settings)).mapEmpty();
  }

  private static Stored stored(Row row) {
    return new Stored(row.getString("name"), row.getBoolean("maintenance"), row.getJsonObject("edge_settings"), row.getUUID("workload_id"));
  }
}
