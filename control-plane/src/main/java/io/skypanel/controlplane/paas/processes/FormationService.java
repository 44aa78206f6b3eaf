package io.skypanel.controlplane.paas.processes;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.paas.environments.EnvironmentRepository;
import io.skypanel.controlplane.paas.environments.EnvironmentRow;
import io.skypanel.controlplane.paas.environments.EnvironmentService;
import io.skypanel.controlplane.paas.releases.Release;
import io.skypanel.controlplane.paas.releases.ReleaseRepository;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The formation of an environment ({@code [{type, quantity, size}]}, Heroku's): the process types of the live release,
 * how many of each and how big (a plan of the catalog). Scaling checks the quotas like a container's scale and changes
 * the workloads in place; a restart rolls them (the container restart generation).
 */
public final class FormationService {

  private final Pool pool;
  private final ProcessRollout rollout;
  private final QuotaService quotas;
  private final EnvironmentService environmentLookup;
  private final Consumer<List<UUID>> converge;
  private final ProcessRepository processes = new ProcessRepository();
  private final EnvironmentRepository environments = new EnvironmentRepository();
  private final ReleaseRepository releases = new ReleaseRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public FormationService(Pool pool, ProcessRollout rollout, QuotaService quotas, EnvironmentService environmentLookup,
                          Consumer<List<UUID>> converge) {
    this.pool = pool;
    this.rollout = rollout;
    this.quotas = quotas;
    this.environmentLookup = environmentLookup;
    this.converge = converge;
  }

  public Future<JsonArray> get(OrgContext org, UUID environmentId) {
    return environmentLookup.find(pool, org, environmentId, false).compose(env -> types(pool, env).map(types -> formation(env, types)));
  }

  /** Each entry names a process type of the live release (422 otherwise) and sets its quantity and/or size. */
  public Future<JsonArray> update(Principal principal, OrgContext org, UUID environmentId, JsonArray updates, String ip) {
    List<UUID> touched = new ArrayList<>();
    return pool.withTransaction(conn -> environmentLookup.find(conn, org, environmentId, true).compose(env -> types(conn, env).compose(types -> {
      JsonObject formation = env.formation().copy();
      Future<Void> chain = Future.succeededFuture();
      for (Object item : updates) {
        JsonObject update = (JsonObject) item;
        String type = update.getString("type");
        if (!types.contains(type)) {
          return Future.failedFuture(ApiException.unprocessable("unknown_process_type", "the live release has no process type '" + type + "'"));
        }
        JsonObject entry = rollout.formationOf(env, type);
        int quantity = update.getInteger("quantity", entry.getInteger("quantity"));
        String size = update.getString("size", entry.getString("size"));
        formation.put(type, new JsonObject().put("quantity", quantity).put("size", size));
        chain = chain.compose(v -> rollout.size(conn, size))
            .compose(found -> quotas.checkContainerSize(conn, org.organizationId(), null, found.cpu(), found.memoryMb(), quantity)
                .compose(ok -> processes.scale(conn, org.organizationId(), env.id(), type, quantity, found)))
            .map(ids -> { touched.addAll(ids); return null; });
      }
      return chain.compose(v -> environments.setFormation(conn, env, formation))
          .compose(v -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.formation.update", "environment",
              environmentId.toString(), new JsonObject().put("formation", updates), ip)))
          .map(v -> formation(new EnvironmentRow(env.id(), env.organizationId(), env.appId(), env.appName(), env.name(), env.defaultDomain(),
              env.envVarsSealed(), env.envVarNames(), formation, env.port(), env.currentReleaseId(), env.currentVersion(), env.status(),
              env.createdAt(), env.updatedAt(), env.deployBranch(), env.autoDeploy(), env.addonEnvCredentials()), types));
    }))).onSuccess(v -> converge.accept(touched));
  }

  /** Rolls every process of one type, or of all types, start-first. */
  public Future<JsonArray> restart(Principal principal, OrgContext org, UUID environmentId, String type, String ip) {
    List<UUID> touched = new ArrayList<>();
    return pool.withTransaction(conn -> environmentLookup.find(conn, org, environmentId, true).compose(env ->
            processes.restart(conn, org.organizationId(), env.id(), type).compose(ids -> {
              if (type != null && ids.isEmpty()) {
                return Future.failedFuture(ApiException.unprocessable("unknown_process_type", "the environment runs no process type '" + type + "'"));
              }
              touched.addAll(ids);
              return activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.processes.restart", "environment",
                  environmentId.toString(), new JsonObject().put("type", type), ip));
            })))
        .onSuccess(v -> converge.accept(touched))
        .compose(v -> get(org, environmentId));
  }

  private Future<List<String>> types(SqlClient client, EnvironmentRow env) {
    if (env.currentReleaseId() == null) {
      return Future.succeededFuture(List.of());
    }
    return releases.byId(client, env.currentReleaseId()).map(Release::runningTypes);
  }

  private JsonArray formation(EnvironmentRow env, List<String> types) {
    JsonArray list = new JsonArray();
    for (String type : types) {
      JsonObject entry = rollout.formationOf(env, type);
      list.add(new JsonObject().put("type", type).put("quantity", entry.getInteger("quantity")).put("size", entry.getString("size")));
    }
    return list;
  }
}
