package io.skypanel.controlplane.paas.releases;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.paas.environments.EnvironmentRepository;
import io.skypanel.controlplane.paas.environments.EnvironmentRow;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.UUID;

/**
 * Promotion between the environments of one app (Heroku pipelines): the source's live release image, by the same
 * digest and never rebuilt, with its process types, goes live in the target with the TARGET's own config and formation,
 * through {@link ReleaseService#ship} (so the image policy, quotas, the release phase and the rollout apply).
 */
public final class ReleasePromotion {

  private final Pool pool;
  private final ReleaseService releases;
  private final EnvironmentRepository environments = new EnvironmentRepository();
  private final ReleaseRepository releaseRows = new ReleaseRepository();

  public ReleasePromotion(Pool pool, ReleaseService releases) {
    this.pool = pool;
    this.releases = releases;
  }

  /** 201 with the target's new release; 404 for environments not of the organization, 422 for what cannot be promoted. */
  public Future<JsonObject> promote(Principal principal, OrgContext org, UUID sourceId, JsonObject body, String ip) {
    UUID targetId;
    try {
      targetId = UUID.fromString(body.getString("to", ""));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiException.validation("to must be the id of an environment", null));
    }
    return environment(org, sourceId).compose(source -> environment(org, targetId).compose(target -> {
      if (target.id().equals(source.id()) || !target.appId().equals(source.appId())) {
        return Future.failedFuture(ApiException.unprocessable("invalid_promotion_target",
            "to must be another environment of the app " + source.appName()));
      }
      if (source.currentReleaseId() == null) {
        return Future.failedFuture(ApiException.unprocessable("no_live_release",
            "the " + source.name() + " environment has no live release to promote"));
      }
      // the live release as read now; a deploy racing this one is promoted next time, never half-way
      return releaseRows.byId(pool, source.currentReleaseId()).compose(live -> releases.ship(principal, org, target.id(),
          new ReleaseService.Shipment(live.imageRef(), live.imageDigest(), live.port(), live.processTypes(),
              "Promote v" + live.version() + " from " + source.name(), "paas.release.promote",
              new JsonObject().put("from_environment_id", source.id().toString()).put("from_version", live.version())), ip));
    }));
  }

  private Future<EnvironmentRow> environment(OrgContext org, UUID id) {
    return environments.byId(pool, org.organizationId(), id, false).compose(env -> env == null
        ? Future.failedFuture(ApiException.notFound("environment"))
        : Future.succeededFuture(env));
  }
}
