package io.skypanel.controlplane.caas.quotas;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.common.auth.OrgRole;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.sqlclient.Pool;

/** {@code GET /api/caas/usage}: what the organization uses against its plan and tier limits. */
public final class UsageFeature implements ApiFeature {

  private final Pool pool;
  private final QuotaService quotas;

  public UsageFeature(Pool pool, QuotaService quotas) {
    this.pool = pool;
    this.quotas = quotas;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "getCaasUsage", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, quotas.usage(pool, Api.tenant(ctx).organizationId()), r -> r));
  }
}
