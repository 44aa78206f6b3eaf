package io.skypanel.exec.access;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;

import java.util.Set;

/** A caller who passed every access check, the organization they act in and the container they act on. */
public record ExecTarget(Principal principal, Membership membership, ContainerRef container) {

  /** Container states in which tasks may be running; whether one actually runs is the engine's answer. */
  private static final Set<String> LIVE_STATES = Set.of("running", "degraded", "deploying");

  /** The tier must allow exec (403) and the container must have a Swarm service to run in (409). */
  public ExecTarget requireExecutable() {
    if (!membership.execAllowed()) {
      throw new ApiException(403, "exec_not_allowed",
          "the organization's isolation tier (" + membership.isolationTier() + ") does not allow exec into containers");
    }
    if (container.serviceId() == null || !LIVE_STATES.contains(container.status())) {
      throw ApiException.conflict("container_not_running", "container " + container.name() + " is not running (status "
          + container.status() + ")");
    }
    return this;
  }
}
