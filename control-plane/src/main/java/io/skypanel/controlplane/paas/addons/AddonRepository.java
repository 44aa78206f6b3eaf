package io.skypanel.controlplane.paas.addons;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL of {@code paas_addons} and {@code paas_addon_attachments}; tenant queries are scoped by organization. */
public final class AddonRepository {

  private static final String INSERT = """
      INSERT INTO paas_addons (organization_id, app_id, environment_id, name, plan_id, provider, config_var_prefix, config_sealed, created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id""";
  private static final String ATTACH = """
      INSERT INTO paas_addon_attachments (addon_id, environment_id, organization_id, created_by) VALUES ($1, $2, $3, $4)
      ON CONFLICT DO NOTHING""";
  private static final String DETACH = "DELETE FROM paas_addon_attachments WHERE addon_id = $1 AND environment_id = $2";
  private static final String BY_ID = "SELECT " + Addon.COLUMNS + Addon.FROM + "WHERE d.id = $1 AND d.organization_id = $2";
  private static final String BY_ID_ANY = "SELECT " + Addon.COLUMNS + Addon.FROM + "WHERE d.id = $1";
  private static final String BY_APP = "SELECT " + Addon.COLUMNS + Addon.FROM
      + "WHERE d.app_id = $1 AND d.organization_id = $2 ORDER BY d.created_at, d.id";
  private static final String ATTACHED_TO = "SELECT " + Addon.COLUMNS + Addon.FROM
      + "JOIN paas_addon_attachments t ON t.addon_id = d.id WHERE t.environment_id = $1 AND d.organization_id = $2 ORDER BY d.created_at, d.id";
  private static final String ENVIRONMENTS = "SELECT environment_id FROM paas_addon_attachments WHERE addon_id = $1 ORDER BY created_at, environment_id";
  private static final String VARS_IN_APP = "SELECT config_var_prefix FROM paas_addons WHERE app_id = $1";
  private static final String ALL_LIVE = "SELECT " + Addon.COLUMNS + Addon.FROM + "ORDER BY d.created_at";
  private static final String SET_STATUS = "UPDATE paas_addons SET status = $2, status_reason = $3 WHERE id = $1 AND status NOT IN ('deprovisioning', 'restoring')";
  private static final String MARK_DEPROVISIONING = "UPDATE paas_addons SET status = 'deprovisioning', status_reason = NULL, skip_final_backup = $2 WHERE id = $1";
  private static final String SET_RUNTIME = """
      UPDATE paas_addons SET swarm_service_id = $2, network_id = $3, password_secret_id = $4, url_secret_id = $5 WHERE id = $1""";
  private static final String SET_PLAN = "UPDATE paas_addons SET plan_id = $2 WHERE id = $1";
  private static final String SET_CREDENTIALS = """
      UPDATE paas_addons SET config_sealed = $2, credentials_version = $3, password_secret_id = $4, url_secret_id = $5 WHERE id = $1""";
  private static final String DELETE = "DELETE FROM paas_addons WHERE id = $1";
  private static final String APP_EXISTS = """
      SELECT EXISTS (SELECT 1 FROM paas_apps WHERE id = $1 AND organization_id = $2 AND status <> 'deleting') AS found""";
  private static final String ENV_CREDENTIALS = "SELECT addon_env_credentials FROM paas_environments WHERE id = $1 AND organization_id = $2";
  private static final String LOCK = "SELECT id FROM paas_addons WHERE id = $1 FOR UPDATE";

  public Future<UUID> insert(SqlClient client, UUID organizationId, UUID appId, UUID environmentId, String name, UUID planId, String service,
                             String varName, String sealed, UUID createdBy) {
    return client.preparedQuery(INSERT).execute(Tuple.from(List.of(organizationId, appId, environmentId, name, planId, service, varName, sealed))
            .addValue(createdBy))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("id"));
  }

  public Future<Void> attach(SqlClient client, UUID addonId, UUID environmentId, UUID organizationId, UUID createdBy) {
    return client.preparedQuery(ATTACH).execute(Tuple.of(addonId, environmentId, organizationId, createdBy)).mapEmpty();
  }

  /** Whether an attachment was removed. */
  public Future<Boolean> detach(SqlClient client, UUID addonId, UUID environmentId) {
    return client.preparedQuery(DETACH).execute(Tuple.of(addonId, environmentId)).map(rows -> rows.rowCount() > 0);
  }

  public Future<Addon> byId(SqlClient client, UUID organizationId, UUID id) {
    return one(client.preparedQuery(BY_ID).execute(Tuple.of(id, organizationId)));
  }

  /** Platform-internal (provisioning, reconciling). */
  public Future<Addon> byIdAnyOrganization(SqlClient client, UUID id) {
    return one(client.preparedQuery(BY_ID_ANY).execute(Tuple.of(id)));
  }

  /** Locks the add-on's row for the caller's transaction (serialises attachment and credential changes). */
  public Future<Void> lock(SqlClient client, UUID id) {
    return client.preparedQuery(LOCK).execute(Tuple.of(id)).mapEmpty();
  }

  public Future<Boolean> appExists(SqlClient client, UUID organizationId, UUID appId) {
    return client.preparedQuery(APP_EXISTS).execute(Tuple.of(appId, organizationId)).map(rows -> rows.iterator().next().getBoolean("found"));
  }

  /** Whether the environment also wants its add-ons' URLs as plain variables (true when it is gone: nothing runs then). */
  public Future<Boolean> envCredentials(SqlClient client, UUID organizationId, UUID environmentId) {
    return client.preparedQuery(ENV_CREDENTIALS).execute(Tuple.of(environmentId, organizationId))
        .map(rows -> rows.size() == 0 || rows.iterator().next().getBoolean("addon_env_credentials"));
  }

  public Future<List<Addon>> byApp(SqlClient client, UUID organizationId, UUID appId) {
    return many(client.preparedQuery(BY_APP).execute(Tuple.of(appId, organizationId)));
  }

  public Future<List<Addon>> attachedTo(SqlClient client, UUID organizationId, UUID environmentId) {
    return many(client.preparedQuery(ATTACHED_TO).execute(Tuple.of(environmentId, organizationId)));
  }

  public Future<List<UUID>> environments(SqlClient client, UUID addonId) {
    return client.preparedQuery(ENVIRONMENTS).execute(Tuple.of(addonId)).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID("environment_id")));
      return ids;
    });
  }

  public Future<List<String>> varsInApp(SqlClient client, UUID appId) {
    return client.preparedQuery(VARS_IN_APP).execute(Tuple.of(appId)).map(rows -> {
      List<String> names = new ArrayList<>();
      rows.forEach(row -> names.add(row.getString("config_var_prefix")));
      return names;
    });
  }

  /** Every add-on of every organization (the reconciler's sweep). */
  public Future<List<Addon>> all(SqlClient client) {
    return many(client.preparedQuery(ALL_LIVE).execute());
  }

  /** Sets the status unless the add-on is being deprovisioned (that status is final) or restored (the restore ends it). */
  public Future<Void> setStatus(SqlClient client, UUID id, String status, String reason) {
    return client.preparedQuery(SET_STATUS).execute(Tuple.of(id, status, reason)).mapEmpty();
  }

  /** Persists the caller's choice too, so a removal resumed after a restart honours it. */
  public Future<Void> markDeprovisioning(SqlClient client, UUID id, boolean skipFinalBackup) {
    return client.preparedQuery(MARK_DEPROVISIONING).execute(Tuple.of(id, skipFinalBackup)).mapEmpty();
  }

  public Future<Void> setRuntime(SqlClient client, UUID id, String serviceId, String networkId, String passwordSecretId, String urlSecretId) {
    return client.preparedQuery(SET_RUNTIME).execute(Tuple.of(id, serviceId, networkId, passwordSecretId, urlSecretId)).mapEmpty();
  }

  public Future<Void> setPlan(SqlClient client, UUID id, UUID planId) {
    return client.preparedQuery(SET_PLAN).execute(Tuple.of(id, planId)).mapEmpty();
  }

  public Future<Void> setCredentials(SqlClient client, UUID id, String sealed, int version, String passwordSecretId, String urlSecretId) {
    return client.preparedQuery(SET_CREDENTIALS).execute(Tuple.of(id, sealed, version, passwordSecretId, urlSecretId)).mapEmpty();
  }

  public Future<Void> delete(SqlClient client, UUID id) {
    return client.preparedQuery(DELETE).execute(Tuple.of(id)).mapEmpty();
  }

  private static Future<Addon> one(Future<io.vertx.sqlclient.RowSet<Row>> rows) {
    return rows.map(set -> set.size() == 0 ? null : Addon.from(set.iterator().next()));
  }

  private static Future<List<Addon>> many(Future<io.vertx.sqlclient.RowSet<Row>> rows) {
    return rows.map(set -> {
      List<Addon> list = new ArrayList<>();
      set.forEach(row -> list.add(Addon.from(set.iterator().next() == null ? row : row)));
      return list;
    });
  }
}
