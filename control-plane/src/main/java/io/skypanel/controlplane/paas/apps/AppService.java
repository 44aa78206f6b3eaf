package io.skypanel.controlplane.paas.apps;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.paas.environments.EnvironmentRepository;
import io.skypanel.controlplane.paas.environments.EnvironmentService;
import io.skypanel.controlplane.paas.environments.Hostnames;
import io.skypanel.controlplane.paas.processes.ProcessRepository;
import io.skypanel.controlplane.paas.runs.RunRepository;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Apps of an organization. Creating one creates its {@code production} environment (and reserves its default
 * hostname); deleting one marks every environment and workload deleting: the reconciler removes services and secrets,
 * the edge drops the routes, and the rows go once nothing is left on the engine.
 */
public final class AppService {

  private final Pool pool;
  private final EnvironmentService environments;
  private final Consumer<List<UUID>> converge;
  private final QuotaService quotas;
  private final BiConsumer<UUID, UUID> deleted;
  private final AppRepository apps = new AppRepository();
  private final EnvironmentRepository environmentRows = new EnvironmentRepository();
  private final RunRepository runs = new RunRepository();
  private final ProcessRepository processes = new ProcessRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public AppService(Pool pool, EnvironmentService environments, Consumer<List<UUID>> converge, QuotaService quotas) {
    this(pool, environments, converge, quotas, (organizationId, appId) -> { });
  }

  /** @param deleted told (organization, app) once an app is marked deleted: its build leftovers go (it logs its own failures) */
  public AppService(Pool pool, EnvironmentService environments, Consumer<List<UUID>> converge, QuotaService quotas,
                    BiConsumer<UUID, UUID> deleted) {
    this.pool = pool;
    this.deleted = deleted;
    this.environments = environments;
    this.converge = converge;
    this.quotas = quotas;
  }

  public Future<JsonObject> create(Principal principal, OrgContext org, JsonObject body, String ip) {
    String name = body.getString("name");
    String region = body.getString("region", "default");
    UUID planId = body.getString("plan_id") == null ? null : UUID.fromString(body.getString("plan_id"));
    return pool.withTransaction(conn -> checkPlan(conn, planId)
            .compose(v -> quotas.maxApps(conn, org.organizationId()))
            .compose(limit -> apps.count(conn, org.organizationId()).compose(count -> count + 1 > limit
                ? Future.failedFuture(ApiException.unprocessable("quota_exceeded", "quota exceeded: apps are limited to " + limit
                    + " on the organization's plan (it has " + count + ")"))
                : apps.insert(conn, org.organizationId(), name, name + "-" + org.slug(), region, planId, principal.userId())))
            .compose(app -> app == null
                ? Future.failedFuture(ApiException.conflict("name_taken", "an app named '" + name + "' already exists"))
                : environments.insert(conn, org, UUID.fromString(app.getString("id")), name, Hostnames.PRODUCTION, principal.userId())
                    .compose(envId -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.app.create", "app",
                        app.getString("id"), new JsonObject().put("name", name), ip)))
                    .map(app)))
        .compose(app -> withEnvironments(org, app));
  }

  public Future<JsonObject> list(OrgContext org, Cursor cursor, int limit) {
    return apps.page(pool, org.organizationId(), cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1)
        .map(rows -> Pages.of(rows, limit));
  }

  public Future<JsonObject> get(OrgContext org, UUID id) {
    return find(pool, org, id).compose(app -> withEnvironments(org, app));
  }

  public Future<JsonObject> update(Principal principal, OrgContext org, UUID id, JsonObject body, String ip) {
    if (body.containsKey("name")) {
      return Future.failedFuture(ApiException.unprocessable("rename_unsupported", "an app keeps its name (its hostnames derive from it)"));
    }
    UUID planId = body.getString("plan_id") == null ? null : UUID.fromString(body.getString("plan_id"));
    return pool.withTransaction(conn -> find(conn, org, id).compose(app -> checkPlan(conn, planId))
            .compose(v -> apps.update(conn, org.organizationId(), id, body.getString("region"), planId))
            .compose(app -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.app.update", "app",
                id.toString(), body.copy(), ip)).map(app)))
        .compose(app -> withEnvironments(org, app));
  }

  public Future<Void> delete(Principal principal, OrgContext org, UUID id, String ip) {
    List<UUID> workloads = new ArrayList<>();
    return pool.withTransaction(conn -> find(conn, org, id).compose(app -> apps.markDeleting(conn, org.organizationId(), id)
            .compose(v -> environmentRows.markAppDeleting(conn, org.organizationId(), id))
            // the run supervisor removes the services of the runs cancelled here
            .compose(envIds -> environments.removeDomains(conn, org.organizationId(), envIds)
                .compose(v -> runs.cancelForEnvironments(conn, org.organizationId(), envIds, "the app was deleted"))
                .compose(cancelled -> processes.markDeleting(conn, org.organizationId(), envIds)))
            .compose(ids -> {
              workloads.addAll(ids);
              return activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.app.delete", "app", id.toString(),
                  new JsonObject().put("name", app.getString("name")), ip));
            })))
        .onSuccess(v -> {
          converge.accept(workloads);
          deleted.accept(org.organizationId(), id);
        });
  }

  public Future<JsonObject> createEnvironment(Principal principal, OrgContext org, UUID appId, String name, String ip) {
    return find(pool, org, appId).compose(app -> environments.create(principal, org, appId, app.getString("name"), name, ip));
  }

  public Future<JsonObject> listEnvironments(OrgContext org, UUID appId) {
    return find(pool, org, appId).compose(app -> environments.byApp(org, appId))
        .map(list -> new JsonObject().put("data", new JsonArray(list)).putNull("next_cursor"));
  }

  private Future<JsonObject> withEnvironments(OrgContext org, JsonObject app) {
    return environments.byApp(org, UUID.fromString(app.getString("id"))).map(list -> app.put("environments", new JsonArray(list)));
  }

  private Future<JsonObject> find(SqlClient client, OrgContext org, UUID id) {
    return apps.byId(client, org.organizationId(), id).compose(app -> app == null
        ? Future.failedFuture(ApiException.notFound("app"))
        : Future.succeededFuture(app));
  }

  private Future<Void> checkPlan(SqlClient client, UUID planId) {
    return planId == null ? Future.succeededFuture() : apps.planExists(client, planId).compose(found -> found
        ? Future.succeededFuture()
        : Future.failedFuture(ApiException.unprocessable("plan_not_found", "there is no active plan " + planId)));
  }
}
