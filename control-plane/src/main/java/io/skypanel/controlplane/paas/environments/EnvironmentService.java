package io.skypanel.controlplane.paas.environments;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.runtime.workloads.ContainerRow;
import io.skypanel.controlplane.runtime.workloads.EdgeReachability;
import io.skypanel.controlplane.caas.domains.DomainService;
import io.skypanel.controlplane.paas.processes.ProcessRepository;
import io.skypanel.controlplane.paas.processes.ProcessRollout;
import io.skypanel.controlplane.paas.releases.ReleaseService;
import io.skypanel.controlplane.paas.runs.RunRepository;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Environments of an app and their config vars. An environment's status is its web process's, as the container view
 * says it (running only when the edge reaches it); every config change makes a new release that rolls the processes.
 */
public final class EnvironmentService {

  private final Pool pool;
  private final ConfigVars config;
  private final ReleaseService releases;
  private final ProcessRollout rollout;
  private final EdgeReachability reachability;
  private final Consumer<List<UUID>> converge;
  private final String baseDomain;
  private final DomainService domains;
  private final EnvironmentRepository environments = new EnvironmentRepository();
  private final ProcessRepository processes = new ProcessRepository();
  private final RunRepository runs = new RunRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public EnvironmentService(Pool pool, ConfigVars config, ReleaseService releases, ProcessRollout rollout, EdgeReachability reachability,
                            Consumer<List<UUID>> converge, String baseDomain, DomainService domains) {
    this.domains = domains;
    this.pool = pool;
    this.config = config;
    this.releases = releases;
    this.rollout = rollout;
    this.reachability = reachability;
    this.converge = converge;
    this.baseDomain = baseDomain;
  }

  /** Inserts an environment of an app (in the caller's transaction); 409 when the name or its hostname is taken. */
  public Future<UUID> insert(SqlConnection conn, OrgContext org, UUID appId, String appName, String name, UUID userId) {
    String hostname = Hostnames.of(appName, name, org.slug(), baseDomain);
    return environments.hostnameTaken(conn, hostname, null).compose(taken -> taken
        ? Future.failedFuture(ApiException.conflict("hostname_taken", "the hostname " + hostname + " is already used by another app or a container"))
        : environments.insert(conn, org.organizationId(), appId, name, hostname, userId)).compose(id -> id == null
        ? Future.failedFuture(ApiException.conflict("name_taken", "the app already has an environment named '" + name
            + "', or its hostname " + hostname + " is taken"))
        : Future.succeededFuture(id));
  }

  public Future<JsonObject> create(Principal principal, OrgContext org, UUID appId, String appName, String name, String ip) {
    return pool.withTransaction(conn -> insert(conn, org, appId, appName, name, principal.userId())
            .compose(id -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.environment.create",
                "environment", id.toString(), new JsonObject().put("app_id", appId.toString()).put("name", name), ip)).map(id)))
        .compose(id -> get(org, id));
  }

  public Future<List<JsonObject>> byApp(OrgContext org, UUID appId) {
    return environments.byApp(pool, org.organizationId(), appId).compose(rows -> {
      List<Future<JsonObject>> views = new ArrayList<>();
      rows.forEach(env -> views.add(view(env)));
      return Future.all(views).map(all -> all.<JsonObject>list());
    });
  }

  public Future<JsonObject> get(OrgContext org, UUID id) {
    return find(pool, org, id, false).compose(this::view);
  }

  /**
   * Changes what {@code body} names: {@code name} (its default hostname follows and must be free) and
   * {@code deploy_branch} (the git branch whose pushes deploy it; null: the default, main else master) and
   * {@code auto_deploy} (whether its successful builds are released) and {@code addon_env_credentials} (attached add-ons'
   * URLs also as plain variables; a change makes a new release so the processes roll), in one transaction.
   */
  public Future<JsonObject> update(Principal principal, OrgContext org, UUID id, JsonObject body, String ip) {
    String name = body.getString("name");
    boolean branchGiven = body.containsKey("deploy_branch");
    String branch = body.getString("deploy_branch");
    Boolean autoDeploy = body.getBoolean("auto_deploy");
    Boolean addonEnv = body.getBoolean("addon_env_credentials");
    ReleaseService.Cut[] cut = new ReleaseService.Cut[1];
    if (branch != null && !DeployBranch.valid(branch)) {
      return Future.failedFuture(ApiException.validation("deploy_branch is not a valid branch name", null));
    }
    return pool.withTransaction(conn -> find(conn, org, id, true).compose(env -> {
      Future<Void> branchSet = branchGiven ? environments.setDeployBranch(conn, env, branch) : Future.succeededFuture();
      return branchSet
          .compose(v -> autoDeploy == null ? Future.<Void>succeededFuture() : environments.setAutoDeploy(conn, env, autoDeploy))
          .compose(v -> addonEnv == null || addonEnv == env.addonEnvCredentials() ? Future.<Void>succeededFuture()
              : environments.setAddonEnvCredentials(conn, env, addonEnv)
                  .compose(x -> releases.configChanged(conn, env, env.envVarsSealed(), env.envVarNames(),
                      addonEnv ? "Add-on credentials as environment variables" : "Add-on credentials as secret files only", principal.userId()))
                  .map(c -> { cut[0] = c; return null; }))
          .compose(v -> rename(conn, org, env, name)).compose(v -> activity.insert(conn, new ActivityEntry(org.organizationId(),
          principal.userId(), "paas.environment.update", "environment", id.toString(), body.copy(), ip)));
    })).onSuccess(v -> {
      if (cut[0] != null) {
        releases.afterCommit(cut[0]);
      }
    }).recover(err -> err instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())
        ? Future.failedFuture(ApiException.conflict("name_taken", "the app already has an environment named '" + name + "'"))
        : Future.failedFuture(err)).compose(v -> get(org, id));
  }

  private Future<Void> rename(SqlConnection conn, OrgContext org, EnvironmentRow env, String name) {
    if (name == null || name.equals(env.name())) {
      return Future.succeededFuture();
    }
    if (Hostnames.PRODUCTION.equals(env.name())) {
      return Future.failedFuture(ApiException.unprocessable("production_rename", "the production environment keeps its name"));
    }
    String hostname = Hostnames.of(env.appName(), name, org.slug(), baseDomain);
    return environments.hostnameTaken(conn, hostname, env.id()).compose(taken -> taken
        ? Future.failedFuture(ApiException.conflict("hostname_taken", "the hostname " + hostname + " is already used"))
        : environments.rename(conn, env, name, hostname));
  }

  /** Marks the environment and its workloads deleting; the reconciler tears the services down, then the rows go. */
  public Future<Void> delete(Principal principal, OrgContext org, UUID id, String ip) {
    List<UUID> workloads = new ArrayList<>();
    return pool.withTransaction(conn -> find(conn, org, id, true).compose(env -> Hostnames.PRODUCTION.equals(env.name())
        ? Future.failedFuture(ApiException.unprocessable("production_delete", "delete the app to delete its production environment"))
        : environments.markDeleting(conn, env)
            .compose(v -> processes.markDeleting(conn, org.organizationId(), List.of(env.id())))
            .compose(ids -> Future.succeededFuture(workloads.addAll(ids)))
            .compose(v -> removeDomains(conn, org.organizationId(), List.of(env.id())))
            // the run supervisor removes the services of the runs cancelled here
            .compose(v -> runs.cancelForEnvironments(conn, org.organizationId(), List.of(env.id()), "the environment was deleted"))
            .compose(v -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.environment.delete",
                "environment", id.toString(), new JsonObject().put("name", env.name()), ip)))))
        .onSuccess(v -> converge.accept(workloads));
  }

  /**
   * Removes the custom domains of environments being deleted, in the caller's transaction: their hostnames are free
   * at once, and the edge drops their routes with the web process (marked deleting in the same transaction).
   */
  public Future<Void> removeDomains(SqlConnection conn, UUID organizationId, List<UUID> environmentIds) {
    return domains.removeOfEnvironments(conn, organizationId, environmentIds);
  }

  /** Developers see the values; viewers the names only. */
  public Future<JsonObject> config(OrgContext org, UUID id) {
    return find(pool, org, id, false).map(env -> org.role().atLeast(OrgRole.DEVELOPER)
        ? new JsonObject(new java.util.LinkedHashMap<>(config.open(env.envVarsSealed())))
        : ConfigVars.masked(config.open(env.envVarsSealed())));
  }

  /** Sets and removes config vars (null deletes); a new release rolls the processes. Only names are logged. */
  public Future<JsonObject> patchConfig(Principal principal, OrgContext org, UUID id, JsonObject patch, String ip) {
    Map<String, String>[] result = new Map[1];
    return pool.withTransaction(conn -> find(conn, org, id, true).compose(env -> {
          Map<String, String> vars = ConfigVars.patched(config.open(env.envVarsSealed()), patch);
          result[0] = vars;
          String sealed = config.seal(vars);
          List<String> names = List.copyOf(vars.keySet());
          return environments.setConfig(conn, env, sealed, names)
              .compose(v -> releases.configChanged(conn, env, sealed, names, ConfigVars.describe(patch), principal.userId()))
              .compose(cut -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.config.update",
                  "environment", id.toString(), new JsonObject().put("changed", new JsonArray(patch.fieldNames().stream().sorted().toList())), ip))
                  .map(cut));
        }))
        .map(cut -> {
          if (cut != null) {
            releases.afterCommit(cut);
          }
          return new JsonObject(new java.util.LinkedHashMap<>(result[0]));
        });
  }

  public Future<EnvironmentRow> find(SqlClient client, OrgContext org, UUID id, boolean forUpdate) {
    return environments.byId(client, org.organizationId(), id, forUpdate).compose(env -> env == null
        ? Future.failedFuture(ApiException.notFound("environment"))
        : Future.succeededFuture(env));
  }

  /** The environment with its processes as the container view shows them; its status is the web process's. */
  private Future<JsonObject> view(EnvironmentRow env) {
    return processes.byEnvironment(pool, env.organizationId(), env.id()).compose(rows -> {
      List<Future<JsonObject>> views = new ArrayList<>();
      rows.forEach(row -> views.add(reachability.view(row).map(view -> process(env, row, view))));
      return Future.all(views).map(all -> {
        JsonArray list = new JsonArray(all.<JsonObject>list());
        JsonObject json = env.toJson().put("processes", list);
        JsonObject web = all.<JsonObject>list().stream().filter(p -> ProcessRollout.WEB.equals(p.getString("type"))).findFirst().orElse(null);
        if (env.currentReleaseId() == null) {
          json.put("status", "pending").put("status_reason", "nothing deployed yet");
        } else if (web != null) {
          json.put("status", web.getString("status")).put("status_reason", web.getString("status_reason"));
        } else {
          boolean allUp = all.<JsonObject>list().stream().allMatch(p -> List.of("running", "stopped").contains(p.getString("status")));
          json.put("status", allUp ? "running" : "deploying").putNull("status_reason");
        }
        return json;
      });
    });
  }

  private JsonObject process(EnvironmentRow env, ContainerRow row, JsonObject view) {
    JsonObject formation = rollout.formationOf(env, row.process().type());
    return new JsonObject()
        .put("type", row.process().type())
        .put("quantity", row.desiredReplicas())
        .put("size", formation.getString("size"))
        .put("command", row.spec().cmd() == null ? null : String.join(" ", row.spec().cmd()))
        .put("release_id", row.process().releaseId() == null ? null : row.process().releaseId().toString())
        .put("image_ref", row.spec().imageRef())
        .put("status", view.getString("status"))
        .put("status_reason", view.getString("status_reason"))
        .put("running", row.runningReplicas())
        .put("default_domain", row.defaultDomain())
        .put("endpoints", row.endpoints())
        .put("edge", view.getValue("edge"));
  }
}
