package io.skypanel.controlplane.catalog;

import io.skypanel.controlplane.ControlPlaneOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.skypanel.common.errors.ApiException;
import io.skypanel.common.events.PlatformEvents;
import io.skypanel.common.events.Topics;
import io.skypanel.common.auth.Principal;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The plan catalog customers choose from, the regions they can deploy to, and its administration. */
public final class CatalogService {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogService.class);

  private static final String FOREIGN_KEY_VIOLATION = "23503";

  private final Pool pool;
  private final PlatformEvents events;
  private final String defaultRegion;
  private final String defaultRegionName;
  private final PlanRepository plans = new PlanRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public CatalogService(Pool pool, PlatformEvents events, ControlPlaneOptions.Catalog options) {
    this.pool = pool;
    this.events = events;
    this.defaultRegion = options.defaultRegion();
    this.defaultRegionName = options.defaultRegionName();
  }

  public Future<JsonObject> activePlans() {
    return plans.active(pool).map(CatalogService::data);
  }

  public Future<JsonObject> allPlans() {
    return plans.all(pool).map(CatalogService::data);
  }

  /** The installation's own region first, then every region nodes have registered in. */
  public Future<JsonObject> locations() {
    return plans.regions(pool).map(regions -> {
      List<JsonObject> locations = new ArrayList<>();
      JsonObject own = new JsonObject().put("id", defaultRegion).put("name", defaultRegionName).put("nodes", 0L);
      locations.add(own);
      for (JsonObject region : regions) {
        if (region.getString("id").equals(defaultRegion)) {
          own.put("nodes", region.getLong("nodes"));
        } else {
          locations.add(region.put("name", region.getString("id")));
        }
      }
      return data(locations);
    });
  }

  public Future<JsonObject> plan(UUID id) {
    return plans.byId(pool, id).compose(CatalogService::found);
  }

  public Future<JsonObject> createPlan(Principal admin, JsonObject input, String ip) {
    return pool.withTransaction(conn -> plans.insert(conn, input).compose(plan -> {
      if (plan == null) {
        return Future.failedFuture(ApiException.conflict("slug_taken", "a plan with slug '" + input.getString("slug") + "' exists"));
      }
      return activity.insert(conn, adminEntry(admin, "admin.plan.create", plan, ip, null)).map(plan);
    })).andThen(done -> announce(done.succeeded()));
  }

  public Future<JsonObject> updatePlan(Principal admin, UUID id, JsonObject changes, String ip) {
    Future<Boolean> taken = changes.getString("slug") == null ? Future.succeededFuture(false) : plans.slugTaken(pool, changes.getString("slug"), id);
    return taken.compose(isTaken -> isTaken
            ? Future.failedFuture(ApiException.conflict("slug_taken", "a plan with slug '" + changes.getString("slug") + "' exists"))
            : pool.withTransaction(conn -> plans.update(conn, id, changes).compose(plan -> plan == null
                ? Future.failedFuture(ApiException.notFound("plan"))
                : activity.insert(conn, adminEntry(admin, "admin.plan.update", plan, ip, changes)).map(plan))))
        .andThen(done -> announce(done.succeeded()));
  }

  /** Deletes an unused plan; a plan that organizations, apps or containers reference is 409 (deactivate it instead). */
  public Future<Void> deletePlan(Principal admin, UUID id, String ip) {
    return pool.withTransaction(conn -> plans.byId(conn, id).compose(plan -> plan == null
            ? Future.failedFuture(ApiException.notFound("plan"))
            : plans.delete(conn, id).compose(v -> activity.insert(conn, adminEntry(admin, "admin.plan.delete", plan, ip, null)))))
        .recover(err -> err instanceof PgException pg && FOREIGN_KEY_VIOLATION.equals(pg.getSqlState())
            ? Future.failedFuture(ApiException.conflict("plan_in_use", "the plan is in use; set active=false to retire it"))
            : Future.failedFuture(err))
        .andThen(done -> announce(done.succeeded()));
  }

  private void announce(boolean changed) {
    if (changed) {
      // quota checks elsewhere cache plan limits; tell them to look again (best effort, they also resync)
      events.publish(Topics.PLANS_CHANGED, new JsonObject())
          .onFailure(err -> LOG.warn("could not announce a plan change (quota checks resync on their own): {}", err.getMessage(), err));
    }
  }

  /** Platform-level actions belong to no organization. */
  private static ActivityEntry adminEntry(Principal admin, String action, JsonObject plan, String ip, JsonObject changes) {
    JsonObject metadata = new JsonObject().put("slug", plan.getString("slug"));
    if (changes != null) {
      metadata.put("changes", changes);
    }
    return new ActivityEntry(null, admin.userId(), action, "plan", plan.getString("id"), metadata, ip);
  }

  private static JsonObject data(List<JsonObject> rows) {
    return new JsonObject().put("data", new JsonArray(new ArrayList<>(rows)));
  }

  private static Future<JsonObject> found(JsonObject plan) {
    return plan == null ? Future.failedFuture(ApiException.notFound("plan")) : Future.succeededFuture(plan);
  }
}
