package io.skypanel.controlplane.paas.addons;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.paas.addons.engines.AddonEngines;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.UUID;

/** The add-on catalog customers choose from, and its administration by platform administrators. */
public final class AddonPlanService {

  private static final String FOREIGN_KEY_VIOLATION = "23503";

  private final Pool pool;
  private final AddonEngines engines;
  private final AddonPlanRepository plans = new AddonPlanRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public AddonPlanService(Pool pool, AddonEngines engines) {
    this.pool = pool;
    this.engines = engines;
  }

  public Future<JsonObject> activePlans() {
    return plans.active(pool).map(list -> new JsonObject().put("data", new JsonArray(new ArrayList<>(list))));
  }

  public Future<JsonObject> allPlans() {
    return plans.all(pool).map(list -> new JsonObject().put("data", new JsonArray(new ArrayList<>(list))));
  }

  public Future<JsonObject> plan(UUID id) {
    return plans.byId(pool, id).compose(AddonPlanService::found);
  }

  public Future<JsonObject> createPlan(Principal admin, JsonObject input, String ip) {
    return offered(input).compose(ok -> pool.withTransaction(conn -> plans.insert(conn, input).compose(plan -> plan == null
        ? Future.failedFuture(ApiException.conflict("slug_taken", "the service already has a plan with slug '" + input.getString("slug") + "'"))
        : activity.insert(conn, entry(admin, "admin.addon_plan.create", plan, ip, null)).map(plan))));
  }

  public Future<JsonObject> updatePlan(Principal admin, UUID id, JsonObject changes, String ip) {
    return offered(changes).compose(ok -> pool.withTransaction(conn -> plans.update(conn, id, changes).compose(plan -> plan == null
            ? Future.failedFuture(ApiException.notFound("add-on plan"))
            : activity.insert(conn, entry(admin, "admin.addon_plan.update", plan, ip, changes)).map(plan))))
        .recover(AddonPlanService::slugTaken);
  }

  /** Deletes an unused plan; a plan live add-ons use is 409 (deactivate it instead). */
  public Future<Void> deletePlan(Principal admin, UUID id, String ip) {
    return pool.withTransaction(conn -> plans.byId(conn, id).compose(plan -> plan == null
            ? Future.failedFuture(ApiException.notFound("add-on plan"))
            : plans.delete(conn, id).compose(v -> activity.insert(conn, entry(admin, "admin.addon_plan.delete", plan, ip, null)))))
        .recover(err -> err instanceof PgException pg && FOREIGN_KEY_VIOLATION.equals(pg.getSqlState())
            ? Future.failedFuture(ApiException.conflict("plan_in_use", "add-ons use this plan; set active=false to retire it"))
            : Future.failedFuture(err));
  }

  /** A plan's service and version must be ones an engine runs, or customers could pick a plan nothing provisions. */
  private Future<Void> offered(JsonObject input) {
    String service = input.getString("service");
    if (service == null) {
      return Future.succeededFuture();
    }
    var engine = engines.find(service);
    if (engine.isEmpty()) {
      return Future.failedFuture(ApiException.unprocessable("unknown_service", "no add-on engine provides '" + service + "'"));
    }
    String version = input.getString("version");
    if (version != null && engine.get().image(version) == null) {
      return Future.failedFuture(ApiException.unprocessable("unknown_version", service + " " + version + " is not offered"));
    }
    return Future.succeededFuture();
  }

  private static <T> Future<T> slugTaken(Throwable err) {
    return err instanceof PgException pg && "23505".equals(pg.getSqlState())
        ? Future.failedFuture(ApiException.conflict("slug_taken", "the service already has a plan with that slug"))
        : Future.failedFuture(err);
  }

  /** Platform-level actions belong to no organization. */
  private static ActivityEntry entry(Principal admin, String action, JsonObject plan, String ip, JsonObject changes) {
    JsonObject metadata = new JsonObject().put("slug", plan.getString("slug")).put("service", plan.getString("service"));
    if (changes != null) {
      metadata.put("changes", changes);
    }
    return new ActivityEntry(null, admin.userId(), action, "addon_plan", plan.getString("id"), metadata, ip);
  }

  private static Future<JsonObject> found(JsonObject plan) {
    return plan == null ? Future.failedFuture(ApiException.notFound("add-on plan")) : Future.succeededFuture(plan);
  }
}
