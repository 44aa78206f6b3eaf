package io.skypanel.controlplane.paas.addons.backups;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Idempotency;
import io.skypanel.common.errors.ApiException;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/** Routes of add-on backups and restores: viewers list and read; developers back up, restore and download. */
final class AddonBackupsFeature implements ApiFeature {

  /** The operation routed outside the contract (marked {@code x-skypanel-streamed} in the document). */
  static final String DOWNLOAD_OPERATION = "downloadAddonBackup";
  private static final Logger LOG = LoggerFactory.getLogger(AddonBackupsFeature.class);

  private final AddonBackupService backups;
  private final AddonRestores restores;
  private final Idempotency idempotency;

  AddonBackupsFeature(AddonBackupService backups, AddonRestores restores, Idempotency idempotency) {
    this.backups = backups;
    this.restores = restores;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listAddonBackups", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, backups.list(Api.tenant(ctx), Api.pathId(ctx, "addonId")), r -> r));
    api.tenant(builder, "createAddonBackup", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 202, backups.create(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "addonId"),
            Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "getAddonBackup", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, backups.get(Api.tenant(ctx), Api.pathId(ctx, "addonId"), Api.pathId(ctx, "backupId")), r -> r));
    api.tenant(builder, "restoreAddonBackup", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 202, restores.restore(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "addonId"), Api.pathId(ctx, "backupId"),
            Api.body(ctx), Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "getAddonRestore", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, restores.get(Api.tenant(ctx), Api.pathId(ctx, "addonId"), Api.pathId(ctx, "restoreId")), r -> r));
  }

  /**
   * The download is routed outside the contract ({@code x-skypanel-streamed}: the validator has no gzip response).
   * The dump holds the database's content: developers and above only, like a one-off run that could read it.
   */
  @Override
  public boolean mountStreamed(String operationId, Route route, Api api) {
    if (!DOWNLOAD_OPERATION.equals(operationId)) {
      return false;
    }
    api.tenant(route, OrgRole.DEVELOPER, Access.READ).handler(this::download);
    return true;
  }

  /** Streams the stored file; never reads it whole. */
  private void download(RoutingContext ctx) {
    UUID addonId;
    UUID backupId;
    try {
      addonId = UUID.fromString(ctx.pathParam("addonId"));
      backupId = UUID.fromString(ctx.pathParam("backupId"));
    } catch (IllegalArgumentException e) {
      ctx.fail(ApiException.validation("addonId and backupId must be uuids", null));
      return;
    }
    backups.download(Api.tenant(ctx), addonId, backupId).onComplete(result -> {
      if (result.failed()) {
        ctx.fail(result.cause());
        return;
      }
      AddonBackupService.Download download = result.result();
      ctx.response().setStatusCode(200)
          .putHeader("Content-Type", "application/gzip")
          .putHeader("Content-Length", Long.toString(download.size()))
          .putHeader("Content-Disposition", "attachment; filename=\"" + download.fileName() + "\"");
      download.content().pipeTo(ctx.response()).onFailure(err ->
          LOG.warn("streaming a backup download ended early: {}", err.getMessage()));
    });
  }
}
