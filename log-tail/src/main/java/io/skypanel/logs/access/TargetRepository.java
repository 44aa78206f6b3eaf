package io.skypanel.logs.access;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/** Reads containers, environments and add-ons, always within one organization. */
public final class TargetRepository {

  static final String CONTAINER = """
      SELECT id, organization_id, name, status, swarm_service_id
        FROM paas_containers
       WHERE id = $1 AND organization_id = $2 AND kind = 'container'""";
  static final String ENVIRONMENT = """
      SELECT id, organization_id, name, status
        FROM paas_environments
       WHERE id = $1 AND organization_id = $2""";
  /** An add-on's server is its one service, like a container's (the reconciler keeps the id current). */
  static final String ADDON = """
      SELECT id, organization_id, name, status, swarm_service_id
        FROM paas_addons
       WHERE id = $1 AND organization_id = $2""";

  private final Pool pool;

  public TargetRepository(Pool pool) {
    this.pool = pool;
  }

  /** The resource, or null when the organization has no such one. */
  public Future<LogTarget> find(LogTarget.Kind kind, UUID id, UUID organizationId) {
    String sql = switch (kind) {
      case CONTAINER -> CONTAINER;
      case ENVIRONMENT -> ENVIRONMENT;
      case ADDON -> ADDON;
    };
    return pool.preparedQuery(sql).execute(Tuple.of(id, organizationId))
        .map(rows -> rows.size() == 0 ? null : toTarget(kind, rows.iterator().next()));
  }

  private static LogTarget toTarget(LogTarget.Kind kind, Row row) {
    String service = kind == LogTarget.Kind.ENVIRONMENT ? null : row.getString("swarm_service_id");
    return new LogTarget(kind, row.getUUID("id"), row.getUUID("organization_id"), row.getString("name"), row.getString("status"), service);
  }
}
