package io.skypanel.common.tenancy;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.common.web.Headers;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * The tenancy check every service makes, defined once: which organization a request acts in (the one named by
 * {@value Headers#ORGANIZATION}, else the caller's personal organization) and the caller's role there. An
 * organization the caller is not a member of does not exist for them (404, never 403), so its ids reveal nothing.
 */
public final class Memberships {

  private static final String MEMBERSHIP = """
      SELECT o.id, o.slug, o.personal, o.isolation_tier, m.role
        FROM organizations o JOIN organization_members m ON m.organization_id = o.id
       WHERE o.id = $1 AND m.user_id = $2""";
  private static final String PERSONAL = """
      SELECT o.id, o.slug, o.personal, o.isolation_tier, m.role
        FROM users u
        JOIN organizations o ON o.id = u.personal_organization_id
        JOIN organization_members m ON m.organization_id = o.id AND m.user_id = u.id
       WHERE u.id = $1""";

  private final Pool pool;

  public Memberships(Pool pool) {
    this.pool = pool;
  }

  /**
   * The membership a request acts with: {@code header} names the organization (blank: the personal one). Fails
   * with 400 for a malformed id, 404 when the caller is no member, 422 when none is named and there is no personal
   * organization.
   */
  public Future<Membership> resolve(Principal principal, String header) {
    if (header == null || header.isBlank()) {
      return personal(principal.userId()).map(found -> {
        if (found == null) {
          throw ApiException.unprocessable("organization_required",
              "you have no personal organization; name one in " + Headers.ORGANIZATION);
        }
        return found;
      });
    }
    UUID organizationId;
    try {
      organizationId = UUID.fromString(header.trim());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiException.validation(Headers.ORGANIZATION + " must be an organization id (uuid)", null));
    }
    return membership(organizationId, principal.userId()).map(found -> {
      if (found == null) {
        throw ApiException.notFound("organization");
      }
      return found;
    });
  }

  /** The user's membership in the organization, or null when there is none. */
  public Future<Membership> membership(UUID organizationId, UUID userId) {
    return pool.preparedQuery(MEMBERSHIP).execute(Tuple.of(organizationId, userId)).map(rows -> rows.size() == 0 ? null : toMembership(rows.iterator().next()));
  }

  /** The user's membership in their personal organization, or null when they have none. */
  public Future<Membership> personal(UUID userId) {
    return pool.preparedQuery(PERSONAL).execute(Tuple.of(userId)).map(rows -> rows.size() == 0 ? null : toMembership(rows.iterator().next()));
  }

  private static Membership toMembership(Row row) {
    return new Membership(row.getUUID("id"), row.getString("slug"), row.getBoolean("personal"), OrgRole.stored(row.getString("role")),
        row.getString("isolation_tier"));
  }
}
