package io.skypanel.controlplane.caas.domains;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Idempotency;
import io.skypanel.controlplane.caas.edge.EdgeTarget;
import io.skypanel.common.auth.OrgRole;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.util.UUID;

/**
 * Routes of container custom domains ({@code /api/caas/containers/{containerId}/domains}) and of every custom domain by
 * id, a container's or an environment's ({@code /api/caas/domains/{domainId}}, verify, delete): viewers read; developers
 * add, verify and delete. Mutations accept {@code Idempotency-Key}.
 */
public final class DomainsFeature implements ApiFeature {

  private final DomainService domains;
  private final Idempotency idempotency;

  public DomainsFeature(DomainService domains, Idempotency idempotency) {
    this.domains = domains;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listContainerDomains", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, domains.list(Api.tenant(ctx), EdgeTarget.container(Api.pathId(ctx, "containerId")), Cursor.decode(Api.query(ctx, "cursor")),
            Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.tenant(builder, "getDomain", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, domains.get(Api.tenant(ctx), domainId(ctx)), r -> r));

    mutation(builder, api, "createContainerDomain", ctx ->
        Api.respond(ctx, 201, domains.create(Api.principal(ctx), Api.tenant(ctx), EdgeTarget.container(Api.pathId(ctx, "containerId")),
            Api.body(ctx).getString("hostname"), Api.clientIp(ctx)), r -> r));
    mutation(builder, api, "verifyDomain", ctx ->
        Api.respond(ctx, 200, domains.verify(Api.principal(ctx), Api.tenant(ctx), domainId(ctx), Api.clientIp(ctx)), r -> r));
    mutation(builder, api, "deleteDomain", ctx ->
        Api.noContent(ctx, domains.delete(Api.principal(ctx), Api.tenant(ctx), domainId(ctx), Api.clientIp(ctx))));
  }

  private void mutation(RouterBuilder builder, Api api, String operationId, Handler<RoutingContext> handler) {
    api.tenant(builder, operationId, OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(handler));
  }

  private static UUID domainId(RoutingContext ctx) {
    return Api.pathId(ctx, "domainId");
  }
}
