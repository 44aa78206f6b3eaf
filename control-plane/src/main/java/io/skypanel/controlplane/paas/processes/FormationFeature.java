package io.skypanel.controlplane.paas.processes;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Idempotency;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** Routes of an environment's formation and restarts: viewers read, developers scale and restart. */
public final class FormationFeature implements ApiFeature {

  private final FormationService formation;
  private final Idempotency idempotency;

  public FormationFeature(FormationService formation, Idempotency idempotency) {
    this.formation = formation;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "getFormation", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, formation.get(Api.tenant(ctx), Api.pathId(ctx, "environmentId")), r -> r));
    api.tenant(builder, "updateFormation", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 200, formation.update(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "environmentId"),
            Api.body(ctx).getJsonArray("updates", new JsonArray()), Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "restartProcesses", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 202, formation.restart(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "environmentId"),
            Api.body(ctx).getString("type"), Api.clientIp(ctx)), r -> r)));
  }
}
