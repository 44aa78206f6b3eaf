package io.skypanel.controlplane.paas.runs;

import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.util.Set;
import java.util.UUID;

/**
 * A one-off run of a command on an environment's live release (Heroku's {@code heroku run}): a throwaway task that
 * ends as {@code succeeded} (exit 0), {@code failed}, {@code cancelled} (DELETE, or its environment deleted) or
 * {@code timeout}. An attached run is interactive: its command runs in an exec-proxy console session.
 */
public record Run(UUID id, UUID organizationId, UUID environmentId, UUID releaseId, String command, boolean attached, String size,
                  String status, Integer exitCode, int timeoutSeconds, String serviceId, String output, String statusReason,
                  OffsetDateTime startedAt, OffsetDateTime finishedAt, UUID userId, OffsetDateTime createdAt) {

  /** Statuses of a run that has not ended; its service (if any) is still wanted. */
  public static final Set<String> ACTIVE = Set.of("pending", "starting", "running");

  /** The label on a run's Swarm service naming its run. */
  public static final String LABEL = "skypanel.run";

  public static String serviceName(UUID runId) {
    return "run-" + runId;
  }

  public boolean active() {
    return ACTIVE.contains(status);
  }

  /** When the run is killed as {@code timeout}: timeout_s after it was created. */
  public OffsetDateTime deadline() {
    return createdAt.plusSeconds(timeoutSeconds);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("environment_id", environmentId.toString())
        .put("release_id", releaseId == null ? null : releaseId.toString())
        .put("command", command)
        .put("attach", attached)
        .put("size", size)
        .put("status", status)
        .put("status_reason", statusReason)
        .put("exit_code", exitCode)
        .put("output", output)
        .put("timeout_s", timeoutSeconds)
        .put("started_at", startedAt == null ? null : startedAt.toString())
        .put("finished_at", finishedAt == null ? null : finishedAt.toString())
        .put("created_by", userId == null ? null : userId.toString())
        .put("created_at", createdAt.toString());
  }
}
