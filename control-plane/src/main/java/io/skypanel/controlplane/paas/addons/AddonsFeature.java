package io.skypanel.controlplane.paas.addons;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Idempotency;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** Routes of add-ons: viewers read, developers provision, resize, attach and rotate, admins delete. */
public final class AddonsFeature implements ApiFeature {

  private final AddonService addons;
  private final AddonAttachmentService attachments;
  private final AddonRotation rotation;
  private final Idempotency idempotency;

  AddonsFeature(AddonService addons, AddonAttachmentService attachments, AddonRotation rotation, Idempotency idempotency) {
    this.addons = addons;
    this.attachments = attachments;
    this.rotation = rotation;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listEnvironmentAddons", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, addons.listByEnvironment(Api.tenant(ctx), Api.pathId(ctx, "environmentId")), r -> r));
    api.tenant(builder, "listAppAddons", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, addons.listByApp(Api.tenant(ctx), Api.pathId(ctx, "appId")), r -> r));
    api.tenant(builder, "createAddon", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 202, addons.create(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "environmentId"), Api.body(ctx),
            Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "getAddon", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, addons.get(Api.tenant(ctx), Api.pathId(ctx, "addonId")), r -> r));
    api.tenant(builder, "updateAddon", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 200, addons.update(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "addonId"), Api.body(ctx),
            Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "deleteAddon", OrgRole.ADMIN, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 202, addons.delete(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "addonId"),
            "true".equals(Api.query(ctx, "skip_final_backup")), Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "listAddonAttachments", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, attachments.list(Api.tenant(ctx), Api.pathId(ctx, "addonId")), r -> r));
    api.tenant(builder, "createAddonAttachment", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 201, attachments.attach(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "addonId"), Api.body(ctx),
            Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "deleteAddonAttachment", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.noContent(ctx, attachments.detach(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "addonId"),
            Api.pathId(ctx, "environmentId"), Api.clientIp(ctx)))));
    api.tenant(builder, "rotateAddonCredentials", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 200, rotation.rotate(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "addonId"), Api.clientIp(ctx)), r -> r)));
  }
}
