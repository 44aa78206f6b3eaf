package io.skypanel.controlplane.paas.builds;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.UUID;

/** One row of {@code paas_builds} (without its log) and its API view. */
public record Build(UUID id, UUID organizationId, UUID appId, UUID environmentId, String origin, String ref, String commit,
                    String status, String statusReason, String builder, String imageRef, String imageDigest, UUID releaseId,
                    Integer releaseVersion, JsonObject processTypes, UUID createdBy, OffsetDateTime createdAt,
                    OffsetDateTime startedAt, OffsetDateTime finishedAt, JsonObject buildArgs, String target) {

  static final String COLUMNS = """
      b.id, b.organization_id, b.app_id, b.environment_id, b.origin, b.ref, b.source_commit, b.status, b.status_reason, b.builder,
      b.image_ref, b.image_digest, b.release_id, r.version AS release_version, b.process_types, b.created_by, b.created_at,
      b.started_at, b.finished_at, b.build_args, b.target""";
  static final String FROM = " FROM paas_builds b LEFT JOIN paas_releases r ON r.id = b.release_id ";

  static Build from(Row row) {
    Object types = row.getValue("process_types");
    Object args = row.getValue("build_args");
    return new Build(row.getUUID("id"), row.getUUID("organization_id"), row.getUUID("app_id"), row.getUUID("environment_id"),
        row.getString("origin"), row.getString("ref"), row.getString("source_commit"), row.getString("status"),
        row.getString("status_reason"), row.getString("builder"), row.getString("image_ref"), row.getString("image_digest"),
        row.getUUID("release_id"), row.getInteger("release_version"), types instanceof JsonObject json ? json : null,
        row.getUUID("created_by"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("started_at"),
        row.getOffsetDateTime("finished_at"), args instanceof JsonObject argsJson ? argsJson : null, row.getString("target"));
  }

  public boolean ended() {
    return !"queued".equals(status) && !"building".equals(status);
  }

  /** The API view; {@code release} is null until the build's release exists. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("app_id", appId.toString())
        .put("environment_id", environmentId.toString())
        .put("origin", origin)
        .put("ref", ref)
        .put("commit", commit)
        .put("status", status)
        .put("status_reason", statusReason)
        .put("builder", builder)
        .put("image_ref", imageRef)
        .put("image_digest", imageDigest)
        .put("release", releaseId == null ? null : new JsonObject().put("id", releaseId.toString()).put("version", releaseVersion))
        .put("process_types", processTypes)
        .put("created_by", createdBy == null ? null : createdBy.toString())
        .put("created_at", createdAt.toString())
        .put("started_at", startedAt == null ? null : startedAt.toString())
        .put("finished_at", finishedAt == null ? null : finishedAt.toString())
        .put("build_args", buildArgs == null ? new JsonObject() : buildArgs)
        .put("target", target);
  }
}
