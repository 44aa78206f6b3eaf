package io.skypanel.logs.access;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/** Reads which organization a caller acts in and whether they belong to it ({@code organization_members}). */
public final class MembershipRepository {

  static final String ROLE = """
      SELECT m.role FROM organization_members m
       WHERE m.organization_id = $1 AND m.user_id = $2""";
  static final String PERSONAL = """
      SELECT u.personal_organization_id AS id
        FROM users u
        JOIN organization_members m ON m.organization_id = u.personal_organization_id AND m.user_id = u.id
       WHERE u.id = $1""";

  private final Pool pool;

  public MembershipRepository(Pool pool) {
    this.pool = pool;
  }

  /** The caller's role in the organization, or null when they are not a member. */
  public Future<String> role(UUID organizationId, UUID userId) {
    return pool.preparedQuery(ROLE).execute(Tuple.of(organizationId, userId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("role"));
  }

  /** The caller's personal organization, or null. */
  public Future<UUID> personalOrganization(UUID userId) {
    return pool.preparedQuery(PERSONAL).execute(Tuple.of(userId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("id"));
  }
}
