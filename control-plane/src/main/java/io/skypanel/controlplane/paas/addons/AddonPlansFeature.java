package io.skypanel.controlplane.paas.addons;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.ApiFeature;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** The add-on catalog ({@code GET /api/paas/addon-plans}) and its administration under {@code /api/admin/addon-plans}. */
public final class AddonPlansFeature implements ApiFeature {

  private final AddonPlanService plans;

  public AddonPlansFeature(AddonPlanService plans) {
    this.plans = plans;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.authenticated(builder, "listAddonPlans", false, ctx -> Api.respond(ctx, 200, plans.activePlans(), r -> r));
    api.admin(builder, "adminListAddonPlans", ctx -> Api.respond(ctx, 200, plans.allPlans(), r -> r));
    api.admin(builder, "adminCreateAddonPlan", ctx ->
        Api.respond(ctx, 201, plans.createPlan(Api.principal(ctx), Api.body(ctx), Api.clientIp(ctx)), r -> r));
    api.admin(builder, "adminGetAddonPlan", ctx -> Api.respond(ctx, 200, plans.plan(Api.pathId(ctx, "addonPlanId")), r -> r));
    api.admin(builder, "adminUpdateAddonPlan", ctx -> Api.respond(ctx, 200,
        plans.updatePlan(Api.principal(ctx), Api.pathId(ctx, "addonPlanId"), Api.body(ctx), Api.clientIp(ctx)), r -> r));
    api.admin(builder, "adminDeleteAddonPlan", ctx ->
        Api.noContent(ctx, plans.deletePlan(Api.principal(ctx), Api.pathId(ctx, "addonPlanId"), Api.clientIp(ctx))));
  }
}
