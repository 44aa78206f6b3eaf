package io.skypanel.exec.access;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.common.tenancy.Memberships;
import io.skypanel.common.web.Headers;
import io.vertx.core.Future;

import java.util.UUID;

/**
 * The control plane's tenant checks, made by the exec proxy itself, in the order that leaks nothing: membership
 * of the organization named by {@code X-Organization-Id} (or the caller's personal one) first, 404 for foreign and
 * unknown alike; then the role (403); then the token's write scope (403); then the container, which must belong
 * to that organization (404).
 */
public final class ContainerAccess {

  public static final String ORGANIZATION_HEADER = Headers.ORGANIZATION;

  private final AccessRepository repository;
  private final RunRepository runs;
  private final Memberships memberships;

  public ContainerAccess(AccessRepository repository, RunRepository runs, Memberships memberships) {
    this.repository = repository;
    this.runs = runs;
    this.memberships = memberships;
  }

  public RunRepository runs() {
    return runs;
  }

  /** An interactive run that passed the same checks as a container, and the workload its session runs in. */
  public record RunTarget(ExecTarget target, RunRepository.RunRef run) {
  }

  /**
   * The same checks for a one-off run of the organization (404 for foreign and unknown alike), which must be
   * interactive (409 {@code run_not_interactive}) and not ended (409 {@code run_ended}).
   */
  public Future<RunTarget> checkRun(Principal principal, String organization, UUID runId, OrgRole role, boolean write) {
    return membership(principal, organization).compose(membership -> {
      if (!membership.role().atLeast(role)) {
        return Future.failedFuture(ApiException.forbidden("this action needs the " + role.label() + " role in the organization"));
      }
      if (write && !principal.canWrite()) {
        return Future.failedFuture(ApiException.forbidden("this token is read-only"));
      }
      return runs.run(runId, membership.organizationId()).compose(run -> {
        if (run == null) {
          return Future.failedFuture(ApiException.notFound("run"));
        }
        if (!run.attached()) {
          return Future.failedFuture(ApiException.conflict("run_not_interactive", "the run was not started with attach: true"));
        }
        if (!run.active()) {
          return Future.failedFuture(ApiException.conflict("run_ended", "the run has ended (status " + run.status() + ")"));
        }
        // an active run's task is looked for on the engine: one that is not running yet is a 409 from the task locator
        ContainerRef workload = new ContainerRef(run.id(), "run-" + run.id().toString().substring(0, 8), "running", run.serviceId(),
            ContainerRef.RUN_LABEL);
        return Future.succeededFuture(new RunTarget(new ExecTarget(principal, membership, workload), run));
      });
    });
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

  /**
   * The membership a request acts with, through the platform's one tenancy check (404 when the caller is not a
   * member of the named organization), with what the organization's isolation tier says about exec.
   */
  public Future<Membership> membership(Principal principal, String organization) {
    return memberships.resolve(principal, organization).compose(member -> repository.tier(member.isolationTier()).map(tier ->
        new Membership(member.organizationId(), member.role(), member.isolationTier(), tier.execAllowed(), tier.transcriptExec())));
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
