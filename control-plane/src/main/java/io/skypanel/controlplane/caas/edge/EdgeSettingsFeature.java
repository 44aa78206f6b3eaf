package io.skypanel.controlplane.caas.edge;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Idempotency;
import io.skypanel.common.auth.OrgRole;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** Routes of {@code /api/caas/containers/:id/edge}: viewers read, developers change. */
public final class EdgeSettingsFeature implements ApiFeature {

  private final EdgeSettingsService settings;
  private final Idempotency idempotency;

  public EdgeSettingsFeature(EdgeSettingsService settings, Idempotency idempotency) {
    this.settings = settings;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "getContainerEdgeSettings", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, settings.get(Api.tenant(ctx), EdgeTarget.container(Api.pathId(ctx, "containerId"))), r -> r));
    api.tenant(builder, "updateContainerEdgeSettings", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 200, settings.update(Api.principal(ctx), Api.tenant(ctx), EdgeTarget.container(Api.pathId(ctx, "containerId")), Api.body(ctx),
            Api.clientIp(ctx)), r -> r)));
  }
}
