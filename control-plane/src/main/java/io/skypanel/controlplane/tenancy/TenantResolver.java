package io.skypanel.controlplane.tenancy;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * Finds the organization a request acts in: the one named by {@code X-Organization-Id}, else the caller's
 * personal organization. An organization the caller is not a member of does not exist for them (404).
 */
public final class TenantResolver {

  public static final String HEADER = "X-Organization-Id";

  private static final String MEMBERSHIP = """
      SELECT o.id, o.slug, o.personal, m.role
        FROM organizations o JOIN organization_members m ON m.organization_id = o.id
       WHERE o.id = $1 AND m.user_id = $2""";
  private static final String PERSONAL = """
      SELECT o.id, o.slug, o.personal, m.role
        FROM users u
        JOIN organizations o ON o.id = u.personal_organization_id
        JOIN organization_members m ON m.organization_id = o.id AND m.user_id = u.id
       WHERE u.id = $1""";

  private final Pool pool;

  public TenantResolver(Pool pool) {
    this.pool = pool;
  }

  public Future<OrgContext> resolve(Principal principal, String header) {
    if (header == null || header.isBlank()) {
      return pool.preparedQuery(PERSONAL).execute(Tuple.of(principal.userId())).map(rows -> {
        if (rows.size() == 0) {
          throw ApiException.unprocessable("organization_required", "you have no personal organization; name one in " + HEADER);
        }
        return toContext(rows.iterator().next());
      });
    }
    UUID organizationId;
    try {
      organizationId = UUID.fromString(header.trim());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiException.validation(HEADER + " must be an organization id (uuid)", null));
    }
    return membership(organizationId, principal.userId()).map(context -> {
      if (context == null) {
        throw ApiException.notFound("organization");
      }
      return context;
    });
  }

  /** The caller's membership in {@code organizationId}, or null when there is none. */
  public Future<OrgContext> membership(UUID organizationId, UUID userId) {
    return pool.preparedQuery(MEMBERSHIP).execute(Tuple.of(organizationId, userId))
        .map(rows -> rows.size() == 0 ? null : toContext(rows.iterator().next()));
  }

  private static OrgContext toContext(Row row) {
    return new OrgContext(row.getUUID("id"), row.getString("slug"), row.getBoolean("personal"), OrgRole.parse(row.getString("role")));
  }
}
