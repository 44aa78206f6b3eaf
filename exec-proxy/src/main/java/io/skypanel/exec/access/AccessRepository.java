package io.skypanel.exec.access;

import io.skypanel.common.auth.Principal;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Set;
import java.util.UUID;

/** Reads who may do what: memberships with their organization's isolation tier, containers, live users. */
public final class AccessRepository {

  private static final String TIER = """
      SELECT exec_allowed, transcript_exec FROM caas_isolation_tiers WHERE id = $1""";
  private static final String CONTAINER = """
      SELECT id, name, status, swarm_service_id FROM paas_containers WHERE id = $1 AND organization_id = $2 AND kind = 'container'""";
  private static final String LIVE_USER = """
      SELECT id, email, platform_role FROM users WHERE id = $1 AND NOT disabled""";

  private final Pool pool;

  public AccessRepository(Pool pool) {
    this.pool = pool;
  }

  /** What an isolation tier allows of exec; an unknown tier (a newer schema) allows nothing. */
  public record Tier(boolean execAllowed, boolean transcriptExec) {
  }

  public Future<Tier> tier(String tierId) {
    return pool.preparedQuery(TIER).execute(Tuple.of(tierId)).map(rows -> {
      if (rows.size() == 0) {
        return new Tier(false, true);
      }
      Row row = rows.iterator().next();
      return new Tier(row.getBoolean("exec_allowed"), row.getBoolean("transcript_exec"));
    });
  }

  /** The organization's container, or null (unknown and foreign ids alike). */
  public Future<ContainerRef> container(UUID containerId, UUID organizationId) {
    return pool.preparedQuery(CONTAINER).execute(Tuple.of(containerId, organizationId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return ContainerRef.container(row.getUUID("id"), row.getString("name"), row.getString("status"), row.getString("swarm_service_id"));
    });
  }

  /**
   * The principal behind a console ticket: the user re-read (a disabled account finds nothing) with the scopes
   * and token of the credential that asked for the ticket.
   */
  public Future<Principal> liveUser(UUID userId, Set<String> scopes, UUID tokenId) {
    return pool.preparedQuery(LIVE_USER).execute(Tuple.of(userId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Principal(row.getUUID("id"), row.getString("email"), row.getString("platform_role"), Set.copyOf(scopes), tokenId);
    });
  }

}
