package io.skypanel.controlplane.paas.apps;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * An app's pinned buildpacks (Heroku's buildpack installations): the buildpacks its builds run, in order, instead of
 * the stack's detection order. Replacing them is all or nothing: an unknown or inactive slug (422
 * {@code unknown_buildpack}) or one named twice (422 {@code duplicate_buildpack}) changes nothing.
 */
public final class AppBuildpackService {

  private final Pool pool;
  private final AppRepository apps = new AppRepository();
  private final AppBuildpackRepository pins = new AppBuildpackRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public AppBuildpackService(Pool pool) {
    this.pool = pool;
  }

  public Future<JsonObject> list(OrgContext org, UUID appId) {
    return find(pool, org, appId).compose(app -> page(pool, org, appId));
  }

  /** Replaces the pins by {@code body.updates} ({@code [{buildpack: slug}]}); an empty list removes them all. */
  public Future<JsonObject> replace(Principal principal, OrgContext org, UUID appId, JsonObject body, String ip) {
    JsonArray updates = body.getJsonArray("updates", new JsonArray());
    List<String> slugs = new ArrayList<>();
    for (int i = 0; i < updates.size(); i++) {
      slugs.add(updates.getJsonObject(i).getString("buildpack"));
    }
    Set<String> distinct = new LinkedHashSet<>(slugs);
    if (distinct.size() != slugs.size()) {
      return Future.failedFuture(ApiException.unprocessable("duplicate_buildpack", "a buildpack is named more than once"));
    }
    return pool.withTransaction(conn -> find(conn, org, appId)
            .compose(app -> pins.activeIds(conn, slugs))
            .compose(ids -> {
              List<String> unknown = slugs.stream().filter(slug -> !ids.containsKey(slug)).toList();
              if (!unknown.isEmpty()) {
                return Future.failedFuture(ApiException.unprocessable("unknown_buildpack",
                    "no such buildpack: " + String.join(", ", unknown)));
              }
              return pins.replace(conn, org.organizationId(), appId, slugs.stream().map(ids::get).toList());
            })
            .compose(v -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.app.buildpacks", "app",
                appId.toString(), new JsonObject().put("buildpacks", new JsonArray(slugs)), ip))))
        .compose(v -> page(pool, org, appId));
  }

  private Future<JsonObject> page(SqlClient client, OrgContext org, UUID appId) {
    return pins.list(client, org.organizationId(), appId).map(list -> new JsonObject().put("data", new JsonArray(list)));
  }

  private Future<JsonObject> find(SqlClient client, OrgContext org, UUID id) {
    return apps.byId(client, org.organizationId(), id).compose(app -> app == null
        ? Future.failedFuture(ApiException.notFound("app"))
        : Future.succeededFuture(app));
  }
}
