package io.skypanel.controlplane.paas.environments;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * One stored environment of an app: its default hostname, its sealed config vars (names in clear), its formation
 * ({@code {"web": {"quantity": 1, "size": "hobby"}}}), the port its web process listens on, its live release, the git
 * branch whose pushes deploy it (null: the default, main else master) and whether its successful builds deploy.
 */
public record EnvironmentRow(UUID id, UUID organizationId, UUID appId, String appName, String name, String defaultDomain,
                             String envVarsSealed, List<String> envVarNames, JsonObject formation, int port,
                             UUID currentReleaseId, Integer currentVersion, String status, OffsetDateTime createdAt,
                             OffsetDateTime updatedAt, String deployBranch, boolean autoDeploy,
                             boolean addonEnvCredentials) {

  static final String COLUMNS = """
      e.id, e.organization_id, e.app_id, a.name AS app_name, e.name, e.default_domain, e.env_vars_sealed, e.env_var_names,
      e.formation, e.port, e.current_release_id, r.version AS current_version, e.status, e.created_at, e.updated_at, e.git_branch,
      e.auto_deploy, e.addon_env_credentials""";
  static final String FROM = " FROM paas_environments e JOIN paas_apps a ON a.id = e.app_id"
      + " LEFT JOIN paas_releases r ON r.id = e.current_release_id ";

  static EnvironmentRow from(Row row) {
    return new EnvironmentRow(row.getUUID("id"), row.getUUID("organization_id"), row.getUUID("app_id"), row.getString("app_name"),
        row.getString("name"), row.getString("default_domain"), row.getString("env_vars_sealed"),
        Arrays.asList(row.getArrayOfStrings("env_var_names")), row.getJsonObject("formation"), row.getInteger("port"),
        row.getUUID("current_release_id"), row.getInteger("current_version"), row.getString("status"),
        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"), row.getString("git_branch"),
        row.getBoolean("auto_deploy"), row.getBoolean("addon_env_credentials"));
  }

  /** The API view without processes (the service adds them). */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("app_id", appId.toString())
        .put("name", name)
        .put("default_domain", defaultDomain)
        .put("web_url", defaultDomain == null ? null : "http://" + defaultDomain + "/")
        .put("port", port)
        .put("current_release", currentVersion)
        // null: git pushes of main (else master) deploy it
        .put("deploy_branch", deployBranch)
        // false: a successful build records its image only (promote or deploy it to release it)
        .put("auto_deploy", autoDeploy)
        // false: attached add-ons' URLs only as mounted secret files (<VAR>_FILE), not as plain variables
        .put("addon_env_credentials", addonEnvCredentials)
        .put("status", status)
        .put("created_at", createdAt.toString())
        .put("updated_at", updatedAt.toString());
  }
}
