package io.skypanel.controlplane.paas.environments;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Idempotency;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** Routes of {@code /api/paas/environments/{id}} and its config vars: viewers read (names only), developers change, admins delete. */
public final class EnvironmentsFeature implements ApiFeature {

  private final EnvironmentService environments;
  private final Idempotency idempotency;

  public EnvironmentsFeature(EnvironmentService environments, Idempotency idempotency) {
    this.environments = environments;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "getEnvironment", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, environments.get(Api.tenant(ctx), Api.pathId(ctx, "environmentId")), r -> r));
    api.tenant(builder, "getConfigVars", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, environments.config(Api.tenant(ctx), Api.pathId(ctx, "environmentId")), r -> r));
    api.tenant(builder, "updateEnvironment", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 200, environments.update(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "environmentId"),
            Api.body(ctx), Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "updateConfigVars", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 200, environments.patchConfig(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "environmentId"), Api.body(ctx),
            Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "deleteEnvironment", OrgRole.ADMIN, Access.WRITE, idempotency.wrap(ctx ->
        Api.noContent(ctx, environments.delete(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "environmentId"), Api.clientIp(ctx)))));
  }
}
