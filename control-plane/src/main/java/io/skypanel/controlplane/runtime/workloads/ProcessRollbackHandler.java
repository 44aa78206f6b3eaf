package io.skypanel.controlplane.runtime.workloads;

import io.skypanel.controlplane.runtime.orchestration.ServiceState;
import io.vertx.core.Future;

/**
 * What Swarm rolling back the update of a PaaS process workload means for its release and environment. The
 * reconciler only notices the rollback (the orchestration core knows nothing of releases); the PaaS decides, and
 * must mark the workload's generation rolled back ({@code last_deploy.state = rolled_back}) so it is handled once.
 */
@FunctionalInterface
public interface ProcessRollbackHandler {

  /** Handles the rollback of {@code row}'s applied generation that Swarm reports in {@code state}. */
  Future<Void> rolledBack(ContainerRow row, ServiceState state);
}
