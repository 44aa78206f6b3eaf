package io.skypanel.controlplane.runtime.orchestration;

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
   * One task.
   *
   * @param imageDigest the digest of the image the task's container runs, when known
   * @param address     while running: its IPv4 address on the organization's internal network, where the edge
   *                    gateways reach it (tasks publish no host port); else null
   */
  public record Task(String taskId, String nodeId, int slot, String state, String desiredState, String message, String error,
                     String containerId, String imageDigest, String address, java.time.Instant updatedAt) {
  }
}
