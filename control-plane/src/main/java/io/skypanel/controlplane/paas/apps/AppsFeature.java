package io.skypanel.controlplane.paas.apps;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Idempotency;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * Routes of {@code /api/paas/apps} and an app's environments: viewers read, developers create and change, admins
 * delete. Mutations accept {@code Idempotency-Key}.
 */
public final class AppsFeature implements ApiFeature {

  private final AppService apps;
  private final Idempotency idempotency;

  public AppsFeature(AppService apps, Idempotency idempotency) {
    this.apps = apps;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listApps", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, apps.list(Api.tenant(ctx), Cursor.decode(Api.query(ctx, "cursor")), Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.tenant(builder, "getApp", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, apps.get(Api.tenant(ctx), Api.pathId(ctx, "appId")), r -> r));
    api.tenant(builder, "listEnvironments", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, apps.listEnvironments(Api.tenant(ctx), Api.pathId(ctx, "appId")), r -> r));
    api.tenant(builder, "createApp", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 201, apps.create(Api.principal(ctx), Api.tenant(ctx), Api.body(ctx), Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "updateApp", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 200, apps.update(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "appId"), Api.body(ctx), Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "deleteApp", OrgRole.ADMIN, Access.WRITE, idempotency.wrap(ctx ->
        Api.noContent(ctx, apps.delete(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "appId"), Api.clientIp(ctx)))));
    api.tenant(builder, "createEnvironment", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 201, apps.createEnvironment(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "appId"),
            Api.body(ctx).getString("name"), Api.clientIp(ctx)), r -> r)));
  }
}
