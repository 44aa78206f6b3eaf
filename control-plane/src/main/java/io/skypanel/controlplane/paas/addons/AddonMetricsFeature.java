package io.skypanel.controlplane.paas.addons;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** The add-on's metrics route: every member reads it, viewers included. */
public final class AddonMetricsFeature implements ApiFeature {

  private final AddonMetrics metrics;

  AddonMetricsFeature(AddonMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "getAddonMetrics", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, metrics.of(Api.tenant(ctx), Api.pathId(ctx, "addonId")), r -> r));
  }
}
