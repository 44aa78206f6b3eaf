package io.skypanel.controlplane.runtime.orchestration;

/**
 * The organization's network exists but not as asked (for example internal where an open one was requested).
 * Swarm cannot change a network's {@code Internal} flag in place: the network must be removed and recreated,
 * which needs every service detached first. The orchestrator never does that on its own; the caller decides.
 */
public final class OrganizationNetworkMismatchException extends OrchestrationException {

  private final String networkId;
  private final boolean internal;

  public OrganizationNetworkMismatchException(String networkName, String networkId, boolean internal, boolean requestedInternal) {
    super("network " + networkName + " (" + networkId + ") exists with internal=" + internal + " but internal="
        + requestedInternal + " was requested; changing it requires removing and recreating the network");
    this.networkId = networkId;
    this.internal = internal;
  }

  public String networkId() {
    return networkId;
  }

  /** What the existing network is. */
  public boolean internal() {
    return internal;
  }
}
