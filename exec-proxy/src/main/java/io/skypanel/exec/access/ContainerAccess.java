package io.skypanel.exec.access;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.vertx.core.Future;

import java.util.UUID;

/**
 * The control plane's tenant checks, made by the exec proxy itself, in the order that leaks nothing: membership
 * of the organization named by {@code X-Organization-Id} (or the caller's personal one) first, 404 for foreign and
 * unknown alike; then the role (403); then the token's write scope (403); then the container, which must belong
 * to that organization (404).
 */
public final class ContainerAccess {

  public static final String ORGANIZATION_HEADER = "X-Organization-Id";

  private final AccessRepository repository;

  public ContainerAccess(AccessRepository repository) {
    this.repository = repository;
  }

  public AccessRepository repository() {
    return repository;
  }

  /**
   * @param organization the organization id the request names, or null for the caller's personal organization
   * @param write        whether the action needs the token's write scope
   */
  public Future<ExecTarget> check(Principal principal, String organization, UUID containerId, OrgRole role, boolean write) {
    return membership(principal, organization).compose(membership -> {
      if (!membership.role().atLeast(role)) {
        return Future.failedFuture(ApiException.forbidden("this action needs the " + role.label() + " role in the organization"));
      }
      if (write && !principal.canWrite()) {
        return Future.failedFuture(ApiException.forbidden("this token is read-only"));
      }
      return repository.container(containerId, membership.organizationId()).compose(container -> container == null
          ? Future.failedFuture(ApiException.notFound("container"))
          : Future.succeededFuture(new ExecTarget(principal, membership, container)));
    });
  }

  /** The membership a request acts with: 404 when the caller is not a member of the named organization. */
  public Future<Membership> membership(Principal principal, String organization) {
    if (organization == null || organization.isBlank()) {
      return repository.personal(principal.userId()).compose(membership -> membership == null
          ? Future.failedFuture(ApiException.unprocessable("organization_required",
              "you have no personal organization; name one in " + ORGANIZATION_HEADER))
          : Future.succeededFuture(membership));
    }
    UUID organizationId;
    try {
      organizationId = UUID.fromString(organization.trim());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiException.validation(ORGANIZATION_HEADER + " must be an organization id (uuid)", null));
    }
    return repository.membership(organizationId, principal.userId()).compose(membership -> membership == null
        ? Future.failedFuture(ApiException.notFound("organization"))
        : Future.succeededFuture(membership));
  }

  /** A path id that must be a uuid; anything else is a 400 like the control plane's contract gives. */
  public static UUID uuid(String value, String what) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw ApiException.validation(what + " must be a uuid", null);
    }
  }
}
