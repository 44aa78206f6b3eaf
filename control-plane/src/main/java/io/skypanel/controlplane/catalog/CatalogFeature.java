package io.skypanel.controlplane.catalog;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.ApiFeature;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** {@code GET /api/paas/plans} and {@code /api/paas/locations}: what any signed-in customer may choose from. */
public final class CatalogFeature implements ApiFeature {

  private final CatalogService catalog;

  public CatalogFeature(CatalogService catalog) {
    this.catalog = catalog;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.authenticated(builder, "listPlans", false, ctx -> Api.respond(ctx, 200, catalog.activePlans(), r -> r));
    api.authenticated(builder, "listLocations", false, ctx -> Api.respond(ctx, 200, catalog.locations(), r -> r));
  }
}
