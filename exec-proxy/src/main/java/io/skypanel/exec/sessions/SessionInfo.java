package io.skypanel.exec.sessions;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What every replica knows about an open session (console or one-off exec): kept in Redis while it lives, shown
 * to platform administrators. {@code id} is also the id of its {@code caas_exec_audit} row. A session into an
 * interactive run has {@code runId} and no {@code containerId}.
 */
public record SessionInfo(UUID id, UUID organizationId, UUID containerId, String containerName, UUID userId, String userEmail,
                          String taskId, String dockerContainerId, List<String> command, boolean tty, String clientIp,
                          Instant startedAt, String replica, UUID runId) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("organization_id", organizationId.toString())
        .put("container_id", containerId == null ? null : containerId.toString())
        .put("run_id", runId == null ? null : runId.toString())
        .put("container_name", containerName)
        .put("user_id", userId.toString())
        .put("user_email", userEmail)
        .put("task_id", taskId)
        .put("docker_container_id", dockerContainerId)
        .put("command", new JsonArray(List.copyOf(command)))
        .put("tty", tty)
        .put("client_ip", clientIp)
        .put("started_at", startedAt.toString())
        .put("replica", replica);
  }
}
