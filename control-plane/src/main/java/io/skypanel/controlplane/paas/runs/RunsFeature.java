package io.skypanel.controlplane.paas.runs;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Idempotency;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** Routes of one-off runs: viewers read, developers start and stop them. */
public final class RunsFeature implements ApiFeature {

  private final RunService runs;
  private final Idempotency idempotency;

  public RunsFeature(RunService runs, Idempotency idempotency) {
    this.runs = runs;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listRuns", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, runs.list(Api.tenant(ctx), Api.pathId(ctx, "environmentId"), Cursor.decode(Api.query(ctx, "cursor")),
            Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.tenant(builder, "createRun", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 201, runs.create(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "environmentId"), Api.body(ctx),
            Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "getRun", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, runs.get(Api.tenant(ctx), Api.pathId(ctx, "runId")), r -> r));
    api.tenant(builder, "cancelRun", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 200, runs.cancel(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "runId"), Api.clientIp(ctx)), r -> r)));
  }
}
