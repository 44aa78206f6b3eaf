package io.skypanel.controlplane.paas.apps;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Idempotency;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** Routes of {@code /api/paas/apps/{appId}/buildpacks}: viewers read an app's pinned buildpacks, developers replace them. */
public final class AppBuildpacksFeature implements ApiFeature {

  private final AppBuildpackService buildpacks;
  private final Idempotency idempotency;

  public AppBuildpacksFeature(AppBuildpackService buildpacks, Idempotency idempotency) {
    this.buildpacks = buildpacks;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listAppBuildpacks", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, buildpacks.list(Api.tenant(ctx), Api.pathId(ctx, "appId")), r -> r));
    api.tenant(builder, "replaceAppBuildpacks", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 200, buildpacks.replace(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "appId"), Api.body(ctx),
            Api.clientIp(ctx)), r -> r)));
  }
}
