package io.skypanel.controlplane.activity;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.tenancy.OrgRole;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.sqlclient.Pool;

/** {@code GET /api/activity}: the organization's activity log, newest first, optionally by action prefix. */
public final class ActivityFeature implements ApiFeature {

  private final Pool pool;
  private final ActivityRepository activity = new ActivityRepository();

  public ActivityFeature(Pool pool) {
    this.pool = pool;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listActivity", OrgRole.VIEWER, Api.Access.READ, ctx -> {
      Cursor cursor = Cursor.decode(Api.query(ctx, "cursor"));
      int limit = Cursor.limit(Api.query(ctx, "limit"));
      Api.respond(ctx, 200, activity.page(pool, Api.tenant(ctx).organizationId(), Api.query(ctx, "action"),
              cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1),
          rows -> Pages.of(rows, limit));
    });
  }
}
