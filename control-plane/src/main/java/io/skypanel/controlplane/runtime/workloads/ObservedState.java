package io.skypanel.controlplane.runtime.workloads;

import io.skypanel.controlplane.runtime.orchestration.ServiceState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * What a workload is, judged from what Swarm reports of its service: a pure function of the stored row and the
 * service state, so the reconciler only stores and announces it.
 *
 * @param status     stopped, deploying, running, failed or degraded
 * @param reason     why it is not running as asked, or null
 * @param running    the running tasks
 * @param endpoints  where the edge reaches each running task (its internal address and the container ports)
 * @param digest     the image digest the running tasks run, when known
 * @param failedTask a failed or rejected task, or null
 * @param lastDeploy a new {@code last_deploy} when a generation just became running, else null
 * @param settling   whether tasks are still on their way to running, or more run than wanted (Swarm is about to
 *                   stop some): look again shortly
 */
record ObservedState(String status, String reason, List<ServiceState.Task> running, JsonArray endpoints, String digest,
                     ServiceState.Task failedTask, JsonObject lastDeploy, boolean settling) {

  private static final Set<String> FAILED_TASK_STATES = Set.of("failed", "rejected");
  /** Swarm task states on the way to running. */
  private static final Set<String> SETTLING_TASK_STATES = Set.of("new", "pending", "assigned", "accepted", "ready", "preparing", "starting");

  static ObservedState of(ContainerRow row, ServiceState state) {
    List<ServiceState.Task> running = state.tasks().stream().filter(t -> "running".equals(t.state()) && "running".equals(t.desiredState())).toList();
    JsonArray endpoints = new JsonArray();
    // tasks publish no host port: each running task is reached on the organization's internal network, through
    // an edge gateway, at its own address and the container port
    running.stream().filter(task -> task.address() != null).forEach(task -> row.spec().ports().forEach(port -> endpoints.add(new JsonObject()
        .put("address", task.address()).put("port", port.containerPort()).put("container_port", port.containerPort())
        .put("protocol", port.protocol()).put("network", "internal").put("task_id", task.taskId()))));
    String digest = running.stream().map(ServiceState.Task::imageDigest).filter(d -> d != null && d.matches("sha256:[0-9a-f]{64}")).findFirst().orElse(null);
    ServiceState.Task failedTask = state.tasks().stream().filter(t -> FAILED_TASK_STATES.contains(t.state())).findFirst().orElse(null);

    String status;
    String reason = null;
    if (row.desiredReplicas() == 0) {
      status = "stopped";
    } else if (state.updateState() != null && (state.updateState().equals("updating") || state.updateState().equals("rollback_started"))) {
      status = "deploying";
    } else if (running.size() >= row.desiredReplicas()) {
      status = "running";
    } else if (running.isEmpty() && failedTask != null) {
      status = "failed";
      reason = failedTask.error() != null ? failedTask.error() : failedTask.message();
    } else if ("pending".equals(row.status()) || "deploying".equals(row.status())) {
      status = "deploying";
    } else {
      status = "degraded";
      reason = running.size() + " of " + row.desiredReplicas() + " replicas running";
    }
    if (row.lastDeploy() != null && "rolled_back".equals(row.lastDeploy().getString("state")) && reason == null) {
      reason = row.lastDeploy().getString("message");
    }
    JsonObject lastDeploy = null;
    if ("running".equals(status) && (row.lastDeploy() == null || !row.generation().equals(row.lastDeploy().getString("generation")))) {
      lastDeploy = new JsonObject().put("state", "deployed").put("generation", row.generation()).put("image", row.spec().imageRef());
    }
    boolean settling = "deploying".equals(status) || running.size() > row.desiredReplicas()
        || state.tasks().stream().anyMatch(t -> "running".equals(t.desiredState()) && SETTLING_TASK_STATES.contains(t.state()));
    return new ObservedState(status, reason, running, endpoints, digest, failedTask, lastDeploy, settling);
  }

  /** Whether the edge routers must reload this workload's routes. */
  boolean routesChanged(ContainerRow row) {
    return !endpoints.equals(row.endpoints()) || !status.equals(row.status());
  }
}
