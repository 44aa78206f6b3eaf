package io.skypanel.controlplane.paas.addons.backups;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One backup of an add-on, with what a restore into a new add-on needs after the add-on itself is gone.
 * {@code sizeBytes} and {@code sha256} are of the stored (compressed) dump, what a download yields; {@code dumpBytes} is
 * the dump's own size (null for backups older than migration V21).
 */
public record AddonBackup(UUID id, UUID organizationId, UUID addonId, String addonName, UUID appId, UUID environmentId, UUID planId,
                          String service, String version, String kind, String status, Long sizeBytes, String sha256, Long dumpBytes,
                          String error, OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt, OffsetDateTime expiresAt) {

  static final String COLUMNS = """
      id, organization_id, addon_id, addon_name, app_id, environment_id, plan_id, service, version, kind, status, size_bytes,
      sha256, dump_bytes, error, created_at, started_at, finished_at, expires_at""";

  static AddonBackup from(Row row) {
    return new AddonBackup(row.getUUID("id"), row.getUUID("organization_id"), row.getUUID("addon_id"), row.getString("addon_name"),
        row.getUUID("app_id"), row.getUUID("environment_id"), row.getUUID("plan_id"), row.getString("service"), row.getString("version"),
        row.getString("kind"), row.getString("status"), row.getLong("size_bytes"), row.getString("sha256"), row.getLong("dump_bytes"),
        row.getString("error"),
        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("started_at"), row.getOffsetDateTime("finished_at"),
        row.getOffsetDateTime("expires_at"));
  }

  /** The key of its dump in the {@link BackupStore}. */
  String storeKey() {
    return id.toString();
  }

  /** A file name for downloads: the add-on's name (validated at creation), the kind and the start. */
  String fileName() {
    return addonName + "-" + kind + "-" + id.toString().substring(0, 8) + (service.equals("redis") ? ".rdb.gz" : ".dump.gz");
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("addon_id", addonId.toString())
        .put("addon_name", addonName)
        .put("service", service)
        .put("version", version)
        .put("kind", kind)
        .put("status", status)
        .put("size_bytes", sizeBytes)
        .put("sha256", sha256)
        .put("error", error)
        .put("created_at", createdAt.toString())
        .put("started_at", startedAt == null ? null : startedAt.toString())
        .put("finished_at", finishedAt == null ? null : finishedAt.toString())
        .put("expires_at", expiresAt == null ? null : expiresAt.toString());
  }
}
