package io.skypanel.controlplane.paas.releases;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Idempotency;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.util.UUID;

/** Routes of deploys and releases of an environment: viewers read, developers deploy, roll back and promote. */
public final class ReleasesFeature implements ApiFeature {

  private final ReleaseService releases;
  private final ReleasePromotion promotion;
  private final Idempotency idempotency;

  public ReleasesFeature(ReleaseService releases, ReleasePromotion promotion, Idempotency idempotency) {
    this.releases = releases;
    this.promotion = promotion;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listReleases", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, releases.list(Api.tenant(ctx), environment(ctx), Cursor.decode(Api.query(ctx, "cursor")),
            Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.tenant(builder, "getRelease", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, releases.get(Api.tenant(ctx), environment(ctx), version(ctx)), r -> r));
    api.tenant(builder, "deployEnvironment", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 201, releases.deploy(Api.principal(ctx), Api.tenant(ctx), environment(ctx), Api.body(ctx), Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "rollbackRelease", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 201, releases.rollback(Api.principal(ctx), Api.tenant(ctx), environment(ctx), version(ctx), Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "promoteEnvironment", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 201, promotion.promote(Api.principal(ctx), Api.tenant(ctx), environment(ctx), Api.body(ctx), Api.clientIp(ctx)), r -> r)));
  }

  private static UUID environment(RoutingContext ctx) {
    return Api.pathId(ctx, "environmentId");
  }

  private static int version(RoutingContext ctx) {
    return Api.pathInt(ctx, "version");
  }
}
