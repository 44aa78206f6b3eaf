package io.skypanel.exec.access;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.common.auth.Principal;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Set;
import java.util.UUID;

/** Reads who may do what: memberships with their organization's isolation tier, containers, live users. */
public final class AccessRepository {

  private static final String MEMBERSHIP = """
      SELECT o.id, m.role, o.isolation_tier, t.exec_allowed, t.transcript_exec
        FROM organizations o
        JOIN organization_members m ON m.organization_id = o.id
        JOIN caas_isolation_tiers t ON t.id = o.isolation_tier
       WHERE o.id = $1 AND m.user_id = $2""";
  private static final String PERSONAL = """
      SELECT o.id, m.role, o.isolation_tier, t.exec_allowed, t.transcript_exec
        FROM users u
        JOIN organizations o ON o.id = u.personal_organization_id
        JOIN organization_members m ON m.organization_id = o.id AND m.user_id = u.id
        JOIN caas_isolation_tiers t ON t.id = o.isolation_tier
       WHERE u.id = $1""";
  private static final String CONTAINER = """
      SELECT id, name, status, swarm_service_id FROM paas_containers WHERE id = $1 AND organization_id = $2 AND kind = 'container'""";
  private static final String LIVE_USER = """
      SELECT id, email, platform_role FROM users WHERE id = $1 AND NOT disabled""";

  private final Pool pool;

  public AccessRepository(Pool pool) {
    this.pool = pool;
  }

  /** The user's membership in the organization, or null when there is none. */
  public Future<Membership> membership(UUID organizationId, UUID userId) {
    return pool.preparedQuery(MEMBERSHIP).execute(Tuple.of(organizationId, userId))
        .map(rows -> rows.size() == 0 ? null : membership(rows.iterator().next()));
  }

  /** The user's membership in their personal organization, or null when they have none. */
  public Future<Membership> personal(UUID userId) {
    return pool.preparedQuery(PERSONAL).execute(Tuple.of(userId))
        .map(rows -> rows.size() == 0 ? null : membership(rows.iterator().next()));
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

  private static Membership membership(Row row) {
    return new Membership(row.getUUID("id"), OrgRole.stored(row.getString("role")), row.getString("isolation_tier"),
        row.getBoolean("exec_allowed"), row.getBoolean("transcript_exec"));
  }
}
