package io.skypanel.controlplane.paas.addons;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.paas.releases.ReleaseService;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Attachments of an add-on to environments of its app. Attaching or detaching makes a new release of that
 * environment (its processes roll onto the add-on's network and credentials, or off them).
 */
public final class AddonAttachmentService {

  private final Pool pool;
  private final AddonService service;
  private final AddonReleases releases;
  private final AddonRepository addons = new AddonRepository();
  private final ActivityRepository activity = new ActivityRepository();

  AddonAttachmentService(Pool pool, AddonService service, AddonReleases releases) {
    this.pool = pool;
    this.service = service;
    this.releases = releases;
  }

  public Future<JsonObject> list(OrgContext org, UUID addonId) {
    return service.find(pool, org, addonId).compose(addon -> addons.environments(pool, addon.id()).map(ids -> new JsonObject().put("data",
        new JsonArray(ids.stream().map(id -> attachment(addon, id)).toList()))));
  }

  /** 404 for an environment of another organization or another app; attaching twice changes nothing. */
  public Future<JsonObject> attach(Principal principal, OrgContext org, UUID addonId, JsonObject body, String ip) {
    UUID environmentId;
    try {
      environmentId = UUID.fromString(body.getString("environment_id", ""));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiException.validation("environment_id must be an environment id", null));
    }
    List<ReleaseService.Cut> cuts = new ArrayList<>();
    return pool.withTransaction(conn -> service.find(conn, org, addonId).compose(addon -> addons.lock(conn, addon.id())
            .compose(v -> service.environment(conn, org, environmentId))
            .compose(env -> {
              if (!env.appId().equals(addon.appId())) {
                return Future.failedFuture(ApiException.notFound("environment"));
              }
              if ("deprovisioning".equals(addon.status())) {
                return Future.failedFuture(ApiException.conflict("addon_deprovisioning", "the add-on is being removed"));
              }
              return addons.environments(conn, addon.id()).compose(attached -> attached.contains(env.id())
                  ? Future.succeededFuture(attachment(addon, env.id()))
                  : addons.attach(conn, addon.id(), env.id(), org.organizationId(), principal.userId())
                      .compose(x -> releases.cut(conn, org.organizationId(), List.of(env.id()),
                          "Attach add-on " + addon.name() + " as " + addon.varName(), principal.userId()))
                      .compose(list -> {
                        cuts.addAll(list);
                        return activity.insert(conn, AddonService.entry(principal, org, "paas.addon.attach", addon.id(),
                            new JsonObject().put("environment_id", env.id().toString()), ip));
                      })
                      .map(x -> attachment(addon, env.id())));
            })))
        .onSuccess(v -> releases.afterCommit(cuts));
  }

  public Future<Void> detach(Principal principal, OrgContext org, UUID addonId, UUID environmentId, String ip) {
    List<ReleaseService.Cut> cuts = new ArrayList<>();
    return pool.withTransaction(conn -> service.find(conn, org, addonId).compose(addon -> addons.lock(conn, addon.id())
            .compose(v -> addons.detach(conn, addon.id(), environmentId))
            .compose(removed -> !removed
                ? Future.<Void>failedFuture(ApiException.notFound("attachment"))
                : releases.cut(conn, org.organizationId(), List.of(environmentId), "Detach add-on " + addon.name(), principal.userId())
                    .compose(list -> {
                      cuts.addAll(list);
                      return activity.insert(conn, AddonService.entry(principal, org, "paas.addon.detach", addon.id(),
                          new JsonObject().put("environment_id", environmentId.toString()), ip));
                    }))))
        .onSuccess(v -> releases.afterCommit(cuts));
  }

  static JsonObject attachment(Addon addon, UUID environmentId) {
    return new JsonObject().put("addon_id", addon.id().toString()).put("environment_id", environmentId.toString())
        .put("config_var", addon.varName()).put("config_var_file", AddonVariables.FILE_DIR + addon.varName());
  }
}
