package io.skypanel.controlplane.organizations;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.common.auth.OrgRole;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** Routes of {@code /api/organizations} and their members. */
public final class OrganizationsFeature implements ApiFeature {

  private final OrganizationService organizations;

  public OrganizationsFeature(OrganizationService organizations) {
    this.organizations = organizations;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.authenticated(builder, "createOrganization", true, ctx -> {
      JsonObject body = Api.body(ctx);
      Api.respond(ctx, 201, organizations.create(Api.principal(ctx), body.getString("name"), body.getString("slug"), Api.clientIp(ctx)), r -> r);
    });
    api.authenticated(builder, "listOrganizations", false, ctx ->
        Api.respond(ctx, 200, organizations.list(Api.principal(ctx), Cursor.decode(Api.query(ctx, "cursor")), Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.organization(builder, "getOrganization", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, organizations.get(Api.principal(ctx), Api.tenant(ctx).organizationId()), r -> r));
    api.organization(builder, "updateOrganization", OrgRole.ADMIN, Access.WRITE, ctx -> {
      JsonObject body = Api.body(ctx);
      Api.respond(ctx, 200, organizations.update(Api.principal(ctx), Api.tenant(ctx), body.getString("name"), body.getString("slug"), Api.clientIp(ctx)), r -> r);
    });
    api.organization(builder, "deleteOrganization", OrgRole.OWNER, Access.WRITE, ctx ->
        Api.noContent(ctx, organizations.delete(Api.principal(ctx), Api.tenant(ctx), Api.clientIp(ctx))));
    api.organization(builder, "listMembers", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, organizations.members(Api.tenant(ctx), Cursor.decode(Api.query(ctx, "cursor")), Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.organization(builder, "addMember", OrgRole.ADMIN, Access.WRITE, ctx -> {
      JsonObject body = Api.body(ctx);
      Api.respond(ctx, 201, organizations.addMember(Api.principal(ctx), Api.tenant(ctx), body.getString("email"),
          OrgRole.parse(body.getString("role")), Api.clientIp(ctx)), r -> r);
    });
    api.organization(builder, "updateMember", OrgRole.ADMIN, Access.WRITE, ctx ->
        Api.respond(ctx, 200, organizations.updateMember(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "userId"),
            OrgRole.parse(Api.body(ctx).getString("role")), Api.clientIp(ctx)), r -> r));
    // any member may leave; removing someone else needs admin (checked by the service)
    api.organization(builder, "removeMember", OrgRole.VIEWER, Access.WRITE, ctx ->
        Api.noContent(ctx, organizations.removeMember(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "userId"), Api.clientIp(ctx))));
  }
}
