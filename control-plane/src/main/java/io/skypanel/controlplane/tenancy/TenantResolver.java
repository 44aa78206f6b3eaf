package io.skypanel.controlplane.tenancy;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.tenancy.Membership;
import io.skypanel.common.tenancy.Memberships;
import io.skypanel.common.web.Headers;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.util.UUID;

/**
 * Finds the organization a request acts in through the platform's one tenancy check ({@link Memberships}): the
 * one named by {@code X-Organization-Id}, else the caller's personal organization. An organization the caller is
 * not a member of does not exist for them (404).
 */
public final class TenantResolver {

  public static final String HEADER = Headers.ORGANIZATION;

  private final Memberships memberships;

  public TenantResolver(Pool pool) {
    this.memberships = new Memberships(pool);
  }

  public Future<OrgContext> resolve(Principal principal, String header) {
    return memberships.resolve(principal, header).map(TenantResolver::toContext);
  }

  /** The caller's membership in {@code organizationId}, or null when there is none. */
  public Future<OrgContext> membership(UUID organizationId, UUID userId) {
    return memberships.membership(organizationId, userId).map(found -> found == null ? null : toContext(found));
  }

  private static OrgContext toContext(Membership membership) {
    return new OrgContext(membership.organizationId(), membership.slug(), membership.personal(), membership.role());
  }
}
