package io.skypanel.controlplane.paas.addons.backups;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.UUID;

/** One restore of a backup into an add-on (its own, or a new one: {@code target}). */
public record AddonRestore(UUID id, UUID organizationId, UUID backupId, UUID addonId, String target, String status, String error,
                           OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt) {

  static final String COLUMNS = "id, organization_id, backup_id, addon_id, target, status, error, created_at, started_at, finished_at";

  static AddonRestore from(Row row) {
    return new AddonRestore(row.getUUID("id"), row.getUUID("organization_id"), row.getUUID("backup_id"), row.getUUID("addon_id"),
        row.getString("target"), row.getString("status"), row.getString("error"), row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("started_at"), row.getOffsetDateTime("finished_at"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("backup_id", backupId.toString())
        .put("addon_id", addonId.toString())
        .put("target", target)
        .put("status", status)
        .put("error", error)
        .put("created_at", createdAt.toString())
        .put("started_at", startedAt == null ? null : startedAt.toString())
        .put("finished_at", finishedAt == null ? null : finishedAt.toString());
  }
}
