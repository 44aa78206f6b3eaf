package io.skypanel.controlplane.caas.orchestration;

import java.util.List;

/**
 * What Swarm reports about one service right now.
 *
 * @param updateState   null, or Swarm's UpdateStatus.State: updating, paused, completed, rollback_started,
 *                      rollback_paused, rollback_completed
 * @param updateMessage Swarm's explanation of the update state (e.g. why it rolled back)
 * @param image         the image of the current spec (after a rollback: the previous one)
 * @param tasks         the service's tasks, newest first
 */
public record ServiceState(String serviceId, String serviceName, long version, int desiredReplicas, int runningReplicas,
                           String image, String updateState, String updateMessage, List<Task> tasks) {

  /**
   * One task. {@code endpoints} are its host-mode published ports (empty unless running).
   *
   * @param imageDigest the digest of the image the task's container runs, when known
   */
  public record Task(String taskId, String nodeId, int slot, String state, String desiredState, String message, String error,
                     String containerId, String imageDigest, List<Endpoint> endpoints, java.time.Instant updatedAt) {
  }

  /** A published port of a running task: reach the container's {@code containerPort} at {@code address:port}. */
  public record Endpoint(String address, int port, int containerPort, String protocol) {
  }
}
