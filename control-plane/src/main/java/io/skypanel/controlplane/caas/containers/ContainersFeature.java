package io.skypanel.controlplane.caas.containers;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Idempotency;
import io.skypanel.common.auth.OrgRole;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.util.UUID;

/** Routes of {@code /api/caas/containers}: viewers read; developers create, deploy and operate. Mutations accept {@code Idempotency-Key}. */
public final class ContainersFeature implements ApiFeature {

  private final ContainerService containers;
  private final Idempotency idempotency;

  public ContainersFeature(ContainerService containers, Idempotency idempotency) {
    this.containers = containers;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listContainers", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, containers.list(Api.tenant(ctx), Api.query(ctx, "status"), Api.query(ctx, "region"), Api.query(ctx, "search"),
            Cursor.decode(Api.query(ctx, "cursor")), Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.tenant(builder, "getContainer", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, containers.get(Api.tenant(ctx), id(ctx)), r -> r));
    api.tenant(builder, "getContainerEvents", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, containers.events(Api.tenant(ctx), id(ctx), Cursor.decode(Api.query(ctx, "cursor")),
            Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.tenant(builder, "getContainerMetrics", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, containers.metrics(Api.tenant(ctx), id(ctx)), r -> r));
    api.tenant(builder, "getContainerEnv", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, containers.env(Api.tenant(ctx), id(ctx)), r -> r));

    mutation(builder, api, "createContainer", ctx ->
        Api.respond(ctx, 202, containers.create(Api.principal(ctx), Api.tenant(ctx), Api.body(ctx), Api.clientIp(ctx)), r -> r));
    mutation(builder, api, "deleteContainer", ctx ->
        Api.respond(ctx, 202, containers.delete(Api.principal(ctx), Api.tenant(ctx), id(ctx), Api.clientIp(ctx)), r -> r));
    mutation(builder, api, "deployContainer", ctx ->
        Api.respond(ctx, 202, containers.deploy(Api.principal(ctx), Api.tenant(ctx), id(ctx), Api.body(ctx).getString("image_ref"), Api.clientIp(ctx)), r -> r));
    mutation(builder, api, "scaleContainer", ctx ->
        Api.respond(ctx, 202, containers.scale(Api.principal(ctx), Api.tenant(ctx), id(ctx), Api.body(ctx).getInteger("replicas"), Api.clientIp(ctx)), r -> r));
    mutation(builder, api, "restartContainer", ctx ->
        Api.respond(ctx, 202, containers.restart(Api.principal(ctx), Api.tenant(ctx), id(ctx), Api.clientIp(ctx)), r -> r));
    mutation(builder, api, "stopContainer", ctx ->
        Api.respond(ctx, 202, containers.stop(Api.principal(ctx), Api.tenant(ctx), id(ctx), Api.clientIp(ctx)), r -> r));
    mutation(builder, api, "startContainer", ctx ->
        Api.respond(ctx, 202, containers.start(Api.principal(ctx), Api.tenant(ctx), id(ctx), Api.clientIp(ctx)), r -> r));
    mutation(builder, api, "rollbackContainer", ctx ->
        Api.respond(ctx, 202, containers.rollback(Api.principal(ctx), Api.tenant(ctx), id(ctx), Api.clientIp(ctx)), r -> r));
    mutation(builder, api, "patchContainerEnv", ctx ->
        Api.respond(ctx, 200, containers.patchEnv(Api.principal(ctx), Api.tenant(ctx), id(ctx), Api.body(ctx), Api.clientIp(ctx)), r -> r));
  }

  private void mutation(RouterBuilder builder, Api api, String operationId, Handler<RoutingContext> handler) {
    api.tenant(builder, operationId, OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(handler));
  }

  private static UUID id(RoutingContext ctx) {
    return Api.pathId(ctx, "containerId");
  }
}
