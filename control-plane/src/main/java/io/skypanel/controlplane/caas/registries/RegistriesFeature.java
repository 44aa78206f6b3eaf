package io.skypanel.controlplane.caas.registries;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.common.auth.OrgRole;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** {@code /api/caas/registries}: viewers list credentials (never their passwords); admins add and delete them. */
public final class RegistriesFeature implements ApiFeature {

  private final RegistryCredentialService credentials;

  public RegistriesFeature(RegistryCredentialService credentials) {
    this.credentials = credentials;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listRegistryCredentials", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, credentials.list(Api.tenant(ctx), Cursor.decode(Api.query(ctx, "cursor")), Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.tenant(builder, "createRegistryCredential", OrgRole.ADMIN, Access.WRITE, ctx ->
        Api.respond(ctx, 201, credentials.create(Api.principal(ctx), Api.tenant(ctx), Api.body(ctx), Api.clientIp(ctx)), r -> r));
    api.tenant(builder, "deleteRegistryCredential", OrgRole.ADMIN, Access.WRITE, ctx ->
        Api.noContent(ctx, credentials.delete(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "registryId"), Api.clientIp(ctx))));
  }
}
