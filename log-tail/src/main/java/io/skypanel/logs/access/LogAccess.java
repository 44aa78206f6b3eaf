package io.skypanel.logs.access;

import io.skypanel.common.auth.Authenticator;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.common.tenancy.Membership;
import io.skypanel.common.tenancy.Memberships;
import io.vertx.core.Future;

import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Decides whether a caller may read a resource's logs: a valid credential with the read scope, membership
 * (any role, viewer included) in the organization named by {@code X-Organization-Id} (else their personal
 * one), and the resource belonging to that organization. Unknown ids, foreign ids and foreign organizations
 * all answer 404, so nothing about other tenants leaks.
 */
public final class LogAccess {

  private final Authenticator authenticator;
  private final Memberships memberships;
  private final TargetRepository targets;

  public LogAccess(Authenticator authenticator, Memberships memberships, TargetRepository targets) {
    this.authenticator = authenticator;
    this.memberships = memberships;
    this.targets = targets;
  }

  /**
   * @param bearer       the bearer credential (JWT or {@code skp_} token), or null
   * @param organization the organization id as sent, or null for the personal organization
   * @param rawId        the resource id from the path
   */
  public Future<LogTarget> authorize(String bearer, String organization, LogTarget.Kind kind, String rawId) {
    return authorize(bearer, organization, kind.noun(), rawId, (id, orgId) -> targets.find(kind, id, orgId));
  }

  /**
   * The same checks for any org-owned resource: {@code find} looks the id up within the caller's organization and
   * answers null when it has no such one.
   *
   * @param noun what the 404 names ({@code build})
   */
  public <T> Future<T> authorize(String bearer, String organization, String noun, String rawId, BiFunction<UUID, UUID, Future<T>> find) {
    return authenticator.authenticate(bearer).compose(principal -> {
      if (!principal.scopes().contains(Principal.SCOPE_READ)) {
        return Future.failedFuture(ApiException.forbidden("this token lacks the read scope"));
      }
      return organization(principal, organization).compose(orgId -> {
        UUID id = uuidOrNull(rawId);
        if (id == null) {
          return Future.failedFuture(ApiException.notFound(noun));
        }
        return find.apply(id, orgId).compose(found -> found == null
            ? Future.failedFuture(ApiException.notFound(noun))
            : Future.succeededFuture(found));
      });
    });
  }

  private Future<UUID> organization(Principal principal, String organization) {
    return memberships.resolve(principal, organization).map(Membership::organizationId);
  }

  private static UUID uuidOrNull(String text) {
    try {
      UUID id = UUID.fromString(text);
      return id.toString().equalsIgnoreCase(text) ? id : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
