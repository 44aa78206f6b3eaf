package io.skypanel.controlplane.paas.environments;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL of {@code paas_environments}; tenant queries are scoped by organization and hide environments being deleted. */
public final class EnvironmentRepository {

  private static final String INSERT = """
      INSERT INTO paas_environments (organization_id, app_id, name, default_domain, created_by) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT DO NOTHING RETURNING id""";
  private static final String BY_ID = "SELECT " + EnvironmentRow.COLUMNS + EnvironmentRow.FROM
      + "WHERE e.id = $1 AND e.organization_id = $2 AND e.status <> 'deleting' AND a.status <> 'deleting'";
  private static final String BY_ID_FOR_UPDATE = BY_ID + " FOR UPDATE OF e";
  private static final String BY_ID_ANY_ORG = "SELECT " + EnvironmentRow.COLUMNS + EnvironmentRow.FROM + "WHERE e.id = $1 FOR UPDATE OF e";
  private static final String BY_APP = "SELECT " + EnvironmentRow.COLUMNS + EnvironmentRow.FROM
      + "WHERE e.app_id = $1 AND e.organization_id = $2 AND e.status <> 'deleting' ORDER BY e.created_at, e.id";
  /** A hostname is taken by any container, by another environment, or by another environment's processes. */
  private static final String HOSTNAME_TAKEN = """
      SELECT EXISTS (SELECT 1 FROM paas_containers WHERE default_domain = $1 AND environment_id IS DISTINCT FROM $2)
          OR EXISTS (SELECT 1 FROM paas_environments WHERE default_domain = $1 AND id IS DISTINCT FROM $2) AS taken""";
  private static final String RENAME = "UPDATE paas_environments SET name = $3, default_domain = $4 WHERE id = $1 AND organization_id = $2";
  private static final String SET_DEPLOY_BRANCH = "UPDATE paas_environments SET git_branch = $3 WHERE id = $1 AND organization_id = $2";
  private static final String SET_AUTO_DEPLOY = "UPDATE paas_environments SET auto_deploy = $3 WHERE id = $1 AND organization_id = $2";
  private static final String SET_ADDON_ENV = "UPDATE paas_environments SET addon_env_credentials = $3 WHERE id = $1 AND organization_id = $2";
  private static final String SET_CONFIG = """
      UPDATE paas_environments SET env_vars_sealed = $3, env_var_names = $4 WHERE id = $1 AND organization_id = $2""";
  private static final String SET_LIVE = """
      UPDATE paas_environments SET current_release_id = $3, image_ref = $4, deploy_mode = 'image', port = $5, status = 'deploying',
             status_reason = NULL
       WHERE id = $1 AND organization_id = $2""";
  private static final String SET_FORMATION = "UPDATE paas_environments SET formation = $3 WHERE id = $1 AND organization_id = $2";
  private static final String MARK_DELETING = "UPDATE paas_environments SET status = 'deleting' WHERE id = $1 AND organization_id = $2";
  private static final String MARK_APP_DELETING = """
      UPDATE paas_environments SET status = 'deleting' WHERE app_id = $1 AND organization_id = $2 RETURNING id""";
  /** Environments being deleted whose workloads are all gone (their releases go with them). */
  private static final String DELETE_FINISHED = """
      DELETE FROM paas_environments e WHERE e.status = 'deleting'
         AND NOT EXISTS (SELECT 1 FROM paas_containers c WHERE c.environment_id = e.id)
         AND NOT EXISTS (SELECT 1 FROM paas_apps a WHERE a.id = e.app_id AND a.status = 'deleting')""";

  /** The new environment's id, or null when the app has one of that name or the hostname is an environment's. */
  public Future<UUID> insert(SqlClient client, UUID organizationId, UUID appId, String name, String defaultDomain, UUID createdBy) {
    return client.preparedQuery(INSERT).execute(Tuple.of(organizationId, appId, name, defaultDomain, createdBy))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("id"));
  }

  public Future<EnvironmentRow> byId(SqlClient client, UUID organizationId, UUID id, boolean forUpdate) {
    return client.preparedQuery(forUpdate ? BY_ID_FOR_UPDATE : BY_ID).execute(Tuple.of(id, organizationId))
        .map(rows -> rows.size() == 0 ? null : EnvironmentRow.from(rows.iterator().next()));
  }

  /** Platform-internal (the release phase), locked for the caller's transaction. */
  public Future<EnvironmentRow> byIdAnyOrganization(SqlClient client, UUID id) {
    return client.preparedQuery(BY_ID_ANY_ORG).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : EnvironmentRow.from(rows.iterator().next()));
  }

  public Future<List<EnvironmentRow>> byApp(SqlClient client, UUID organizationId, UUID appId) {
    return client.preparedQuery(BY_APP).execute(Tuple.of(appId, organizationId)).map(rows -> {
      List<EnvironmentRow> environments = new ArrayList<>();
      rows.forEach(row -> environments.add(EnvironmentRow.from(row)));
      return environments;
    });
  }

  public Future<Boolean> hostnameTaken(SqlClient client, String hostname, UUID environmentId) {
    return client.preparedQuery(HOSTNAME_TAKEN).execute(Tuple.of(hostname, environmentId)).map(rows -> rows.iterator().next().getBoolean("taken"));
  }

  public Future<Void> rename(SqlClient client, EnvironmentRow env, String name, String defaultDomain) {
    return client.preparedQuery(RENAME).execute(Tuple.of(env.id(), env.organizationId(), name, defaultDomain)).mapEmpty();
  }

  public Future<Void> setDeployBranch(SqlClient client, EnvironmentRow env, String branch) {
    return client.preparedQuery(SET_DEPLOY_BRANCH).execute(Tuple.of(env.id(), env.organizationId(), branch)).mapEmpty();
  }

  public Future<Void> setAutoDeploy(SqlClient client, EnvironmentRow env, boolean autoDeploy) {
    return client.preparedQuery(SET_AUTO_DEPLOY).execute(Tuple.of(env.id(), env.organizationId(), autoDeploy)).mapEmpty();
  }

  public Future<Void> setConfig(SqlClient client, EnvironmentRow env, String sealed, List<String> names) {
    return client.preparedQuery(SET_CONFIG).execute(Tuple.of(env.id(), env.organizationId(), sealed, names.toArray(String[]::new))).mapEmpty();
  }

  public Future<Void> setLive(SqlClient client, EnvironmentRow env, UUID releaseId, String imageRef, int port) {
    return client.preparedQuery(SET_LIVE).execute(Tuple.of(env.id(), env.organizationId(), releaseId, imageRef, port)).mapEmpty();
  }

  public Future<Void> setFormation(SqlClient client, EnvironmentRow env, JsonObject formation) {
    return client.preparedQuery(SET_FORMATION).execute(Tuple.of(env.id(), env.organizationId(), formation)).mapEmpty();
  }

  public Future<Void> markDeleting(SqlClient client, EnvironmentRow env) {
    return client.preparedQuery(MARK_DELETING).execute(Tuple.of(env.id(), env.organizationId())).mapEmpty();
  }

  public Future<List<UUID>> markAppDeleting(SqlClient client, UUID organizationId, UUID appId) {
    return client.preparedQuery(MARK_APP_DELETING).execute(Tuple.of(appId, organizationId)).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID("id")));
      return ids;
    });
  }

  public Future<Void> deleteFinished(SqlClient client) {
    return client.query(DELETE_FINISHED).execute().mapEmpty();
  }

  /** Whether attached add-ons' URLs are also plain environment variables. */
  public Future<Void> setAddonEnvCredentials(SqlClient client, EnvironmentRow env, boolean on) {
    return client.preparedQuery(SET_ADDON_ENV).execute(Tuple.of(env.id(), env.organizationId(), on)).mapEmpty();
  }
}
