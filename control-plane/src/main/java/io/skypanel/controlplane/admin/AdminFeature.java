package io.skypanel.controlplane.admin;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.auth.UserRepository;
import io.skypanel.controlplane.catalog.CatalogService;
import io.skypanel.controlplane.organizations.OrganizationRepository;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.sqlclient.Pool;

/** {@code /api/admin}: plan administration and platform-wide listings, for platform administrators only. */
public final class AdminFeature implements ApiFeature {

  private final Pool pool;
  private final CatalogService catalog;
  private final UserRepository users = new UserRepository();
  private final OrganizationRepository organizations = new OrganizationRepository();

  public AdminFeature(Pool pool, CatalogService catalog) {
    this.pool = pool;
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
    api.admin(builder, "adminListUsers", ctx -> {
      Cursor cursor = Cursor.decode(Api.query(ctx, "cursor"));
      int limit = Cursor.limit(Api.query(ctx, "limit"));
      Api.respond(ctx, 200, users.page(pool, cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1),
          rows -> Pages.of(rows.stream().map(UserRepository.User::toJson).toList(), limit));
    });
    api.admin(builder, "adminListOrganizations", ctx -> {
      Cursor cursor = Cursor.decode(Api.query(ctx, "cursor"));
      int limit = Cursor.limit(Api.query(ctx, "limit"));
      Api.respond(ctx, 200, organizations.pageAll(pool, cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1),
          rows -> Pages.of(rows, limit));
    });
  }
}
