package io.skypanel.controlplane.admin;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.catalog.CatalogService;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** {@code /api/admin}: plan administration and platform-wide listings, for platform administrators only. */
public final class AdminFeature implements ApiFeature {

  private final AdminService admin;
  private final CatalogService catalog;

  public AdminFeature(AdminService admin, CatalogService catalog) {
    this.admin = admin;
    this.catalog = catalog;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.admin(builder, "adminListPlans", ctx -> Api.respond(ctx, 200, catalog.allPlans(), r -> r));
    api.admin(builder, "adminCreatePlan", ctx ->
        Api.respond(ctx, 201, catalog.createPlan(Api.principal(ctx), Api.body(ctx), Api.clientIp(ctx)), r -> r));
    api.admin(builder, "adminGetPlan", ctx -> Api.respond(ctx, 200, catalog.plan(Api.pathId(ctx, "planId")), r -> r));
    api.admin(builder, "adminUpdatePlan", ctx ->
        Api.respond(ctx, 200, catalog.updatePlan(Api.principal(ctx), Api.pathId(ctx, "planId"), Api.body(ctx), Api.clientIp(ctx)), r -> r));
    api.admin(builder, "adminDeletePlan", ctx ->
        Api.noContent(ctx, catalog.deletePlan(Api.principal(ctx), Api.pathId(ctx, "planId"), Api.clientIp(ctx))));
    api.admin(builder, "adminListUsers", ctx ->
        Api.respond(ctx, 200, admin.users(Cursor.decode(Api.query(ctx, "cursor")), Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.admin(builder, "adminListOrganizations", ctx ->
        Api.respond(ctx, 200, admin.organizations(Cursor.decode(Api.query(ctx, "cursor")), Cursor.limit(Api.query(ctx, "limit"))), r -> r));
  }
}
