package io.skypanel.controlplane.caas.policies;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.common.auth.OrgRole;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** {@code /api/caas/policies/images} and {@code /api/caas/policies/network}: viewers read, admins change. */
public final class PoliciesFeature implements ApiFeature {

  private final PolicyService policies;

  public PoliciesFeature(PolicyService policies) {
    this.policies = policies;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "getImagePolicy", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, policies.imagePolicy(Api.tenant(ctx).organizationId()), r -> r));
    api.tenant(builder, "updateImagePolicy", OrgRole.ADMIN, Access.WRITE, ctx ->
        Api.respond(ctx, 200, policies.updateImagePolicy(Api.principal(ctx), Api.tenant(ctx), Api.body(ctx), Api.clientIp(ctx)), r -> r));
    api.tenant(builder, "getNetworkPolicy", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, policies.networkPolicy(Api.tenant(ctx).organizationId()), r -> r));
    api.tenant(builder, "updateNetworkPolicy", OrgRole.ADMIN, Access.WRITE, ctx ->
        Api.respond(ctx, 200, policies.updateNetworkPolicy(Api.principal(ctx), Api.tenant(ctx), Api.body(ctx), Api.clientIp(ctx)), r -> r));
  }
}
