package io.skypanel.controlplane.paas.addons;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One stored add-on with its plan's sizing. Its credentials stay sealed here ({@code configSealed}); the API view
 * names the variable they are delivered as, never their value.
 */
public record Addon(UUID id, UUID organizationId, UUID appId, UUID environmentId, String name, UUID planId, String planSlug,
                    String service, String version, int memoryMb, double cpu, String varName, String status, String statusReason,
                    String configSealed, String serviceId, String networkId, String passwordSecretId, String urlSecretId,
                    int credentialsVersion, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

  static final String COLUMNS = """
      d.id, d.organization_id, d.app_id, d.environment_id, d.name, d.plan_id, p.slug AS plan_slug, d.provider, p.version,
      p.memory_mb, p.cpu, d.config_var_prefix, d.status, d.status_reason, d.config_sealed, d.swarm_service_id, d.network_id,
      d.password_secret_id, d.url_secret_id, d.credentials_version, d.created_at, d.updated_at""";
  static final String FROM = " FROM paas_addons d JOIN paas_addon_plans p ON p.id = d.plan_id ";

  static Addon from(Row row) {
    return new Addon(row.getUUID("id"), row.getUUID("organization_id"), row.getUUID("app_id"), row.getUUID("environment_id"),
        row.getString("name"), row.getUUID("plan_id"), row.getString("plan_slug"), row.getString("provider"), row.getString("version"),
        row.getInteger("memory_mb"), row.getNumeric("cpu").doubleValue(), row.getString("config_var_prefix"), row.getString("status"),
        row.getString("status_reason"), row.getString("config_sealed"), row.getString("swarm_service_id"), row.getString("network_id"),
        row.getString("password_secret_id"), row.getString("url_secret_id"), row.getInteger("credentials_version"),
        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
  }

  /** The same add-on with other credentials (rotation). */
  public Addon withCredentials(String sealed, int version, String newPasswordSecretId, String newUrlSecretId) {
    return new Addon(id, organizationId, appId, environmentId, name, planId, planSlug, service, version(), memoryMb, cpu, varName, status,
        statusReason, sealed, serviceId, networkId, newPasswordSecretId, newUrlSecretId, version, createdAt, updatedAt);
  }

  /** Swarm service, and the name other services reach it by on its network. */
  public String serviceName() {
    return "addon-" + id;
  }

  /** Its own internal network and its named volume. */
  public String resourceName() {
    return "skypanel-addon-" + id;
  }

  /** The API view: the URL variable's name and where its file is mounted, never the credentials. */
  public JsonObject toJson(JsonArray attachedEnvironments) {
    return new JsonObject()
        .put("id", id.toString())
        .put("app_id", appId.toString())
        .put("environment_id", environmentId == null ? null : environmentId.toString())
        .put("name", name)
        .put("service", service)
        .put("version", version)
        .put("plan", new JsonObject().put("id", planId.toString()).put("slug", planSlug).put("memory_mb", memoryMb).put("cpu", cpu))
        .put("config_var", varName)
        .put("config_var_file", AddonVariables.FILE_DIR + varName)
        .put("status", status)
        .put("status_reason", statusReason)
        .put("attachments", attachedEnvironments)
        .put("created_at", createdAt.toString())
        .put("updated_at", updatedAt.toString());
  }
}
