package io.skypanel.controlplane.paas.releases;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * An immutable release: image, the config vars sealed as they were, the process types ({@code {"web": "cmd"}}, a null
 * command keeps the image's own; {@code release} runs once before going live), and in {@code config} the web port.
 */
public record Release(UUID id, UUID organizationId, UUID environmentId, int version, String imageRef, String imageDigest,
                      JsonObject config, JsonObject processTypes, String envVarsSealed, List<String> envVarNames, String description,
                      String status, String statusReason, JsonObject releasePhase, Integer rollbackOfVersion, UUID createdBy,
                      OffsetDateTime createdAt) {

  /** The process type run once before a release goes live. */
  public static final String RELEASE_PHASE = "release";

  /** A release to insert (version and id are assigned by the database). */
  public static Release draft(UUID organizationId, UUID environmentId, String imageRef, String imageDigest, int port,
                              JsonObject processTypes, String envVarsSealed, List<String> envVarNames, String description,
                              String status, Integer rollbackOfVersion, UUID createdBy) {
    return new Release(null, organizationId, environmentId, 0, imageRef, imageDigest, new JsonObject().put("port", port), processTypes,
        envVarsSealed, envVarNames, description, status, null, null, rollbackOfVersion, createdBy, null);
  }

  public int port() {
    return config.getInteger("port", 5000);
  }

  public String releaseCommand() {
    return processTypes.getString(RELEASE_PHASE);
  }

  /** The long-running process types (every type but the release phase). */
  public List<String> runningTypes() {
    return processTypes.fieldNames().stream().filter(type -> !RELEASE_PHASE.equals(type)).sorted().toList();
  }

  /** The API view: config var names, never values. */
  public JsonObject toJson(boolean current) {
    return new JsonObject()
        .put("id", id.toString())
        .put("version", version)
        .put("image_ref", imageRef)
        .put("image_digest", imageDigest)
        .put("process_types", processTypes)
        .put("port", port())
        .put("config_vars", new JsonArray(List.copyOf(envVarNames)))
        .put("description", description)
        .put("status", status)
        .put("status_reason", statusReason)
        .put("release_phase", releasePhase)
        .put("rollback_of_version", rollbackOfVersion)
        .put("current", current)
        .put("created_by", createdBy == null ? null : createdBy.toString())
        .put("created_at", createdAt.toString());
  }
}
