package io.skypanel.controlplane.paas.git;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL the git endpoints need: an app by its globally unique slug, and its environments' deploy branches. */
public final class GitSourceRepository {

  private static final String APP_BY_SLUG = """
      SELECT a.id, a.organization_id, a.slug FROM paas_apps a WHERE a.slug = $1 AND a.status <> 'deleting'""";
  private static final String DEPLOY_BRANCHES = """
      SELECT e.id, e.name, e.git_branch FROM paas_environments e
       WHERE e.app_id = $1 AND e.organization_id = $2 AND e.status <> 'deleting' ORDER BY e.created_at, e.id""";

  /** An app as the git endpoints see it. */
  public record GitApp(UUID id, UUID organizationId, String slug) {
  }

  /**
   * An environment and the branch that deploys it.
   *
   * @param branch the configured deploy branch, or null for the default (main, else master)
   */
  public record DeployTarget(UUID environmentId, String name, String branch) {
  }

  public Future<GitApp> appBySlug(SqlClient client, String slug) {
    return client.preparedQuery(APP_BY_SLUG).execute(Tuple.of(slug)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      var row = rows.iterator().next();
      return new GitApp(row.getUUID("id"), row.getUUID("organization_id"), row.getString("slug"));
    });
  }

  public Future<List<DeployTarget>> deployTargets(SqlClient client, UUID organizationId, UUID appId) {
    return client.preparedQuery(DEPLOY_BRANCHES).execute(Tuple.of(appId, organizationId)).map(rows -> {
      List<DeployTarget> targets = new ArrayList<>();
      rows.forEach(row -> targets.add(new DeployTarget(row.getUUID("id"), row.getString("name"), row.getString("git_branch"))));
      return targets;
    });
  }
}
