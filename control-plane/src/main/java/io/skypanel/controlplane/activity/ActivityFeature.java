package io.skypanel.controlplane.activity;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.common.auth.OrgRole;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** {@code GET /api/activity}: the organization's activity log, newest first, optionally by action prefix. */
public final class ActivityFeature implements ApiFeature {

  private final ActivityService activity;

  public ActivityFeature(ActivityService activity) {
    this.activity = activity;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listActivity", OrgRole.VIEWER, Api.Access.READ, ctx ->
        Api.respond(ctx, 200, activity.page(Api.tenant(ctx).organizationId(), Api.query(ctx, "action"),
            Cursor.decode(Api.query(ctx, "cursor")), Cursor.limit(Api.query(ctx, "limit"))), r -> r));
  }
}
