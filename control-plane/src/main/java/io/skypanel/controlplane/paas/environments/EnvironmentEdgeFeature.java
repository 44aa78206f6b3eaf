package io.skypanel.controlplane.paas.environments;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Idempotency;
import io.skypanel.controlplane.caas.domains.DomainService;
import io.skypanel.controlplane.caas.edge.EdgeSettingsService;
import io.skypanel.controlplane.caas.edge.EdgeTarget;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * The edge features of an environment, served by the containers' own services: custom domains
 * ({@code /api/paas/environments/{id}/domains}; a domain's get, verify and delete are the generic
 * {@code /api/caas/domains/{domainId}} routes), edge settings ({@code …/edge}) and metrics ({@code …/metrics}).
 * Viewers read; developers add domains and change edge settings, as for containers.
 */
public final class EnvironmentEdgeFeature implements ApiFeature {

  private final DomainService domains;
  private final EdgeSettingsService settings;
  private final EnvironmentMetrics metrics;
  private final Idempotency idempotency;

  public EnvironmentEdgeFeature(DomainService domains, EdgeSettingsService settings, EnvironmentMetrics metrics, Idempotency idempotency) {
    this.domains = domains;
    this.settings = settings;
    this.metrics = metrics;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listEnvironmentDomains", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, domains.list(Api.tenant(ctx), target(ctx), Cursor.decode(Api.query(ctx, "cursor")),
            Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.tenant(builder, "createEnvironmentDomain", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 201, domains.create(Api.principal(ctx), Api.tenant(ctx), target(ctx), Api.body(ctx).getString("hostname"),
            Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "getEnvironmentEdgeSettings", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, settings.get(Api.tenant(ctx), target(ctx)), r -> r));
    api.tenant(builder, "updateEnvironmentEdgeSettings", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 200, settings.update(Api.principal(ctx), Api.tenant(ctx), target(ctx), Api.body(ctx), Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "getEnvironmentMetrics", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, metrics.of(Api.tenant(ctx), Api.pathId(ctx, "environmentId")), r -> r));
  }

  private static EdgeTarget target(RoutingContext ctx) {
    return EdgeTarget.environment(Api.pathId(ctx, "environmentId"));
  }
}
