package io.skypanel.controlplane.caas.volumes;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.common.auth.OrgRole;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * Routes of {@code /api/caas/volumes}: volumes, their snapshots and restores. Viewers read; developers create,
 * delete, snapshot and restore.
 */
public final class VolumesFeature implements ApiFeature {

  private final VolumeService volumes;
  private final SnapshotService snapshots;

  public VolumesFeature(VolumeService volumes, SnapshotService snapshots) {
    this.snapshots = snapshots;
    this.volumes = volumes;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "createVolume", OrgRole.DEVELOPER, Access.WRITE, ctx -> {
      JsonObject body = Api.body(ctx);
      Api.respond(ctx, 201, volumes.create(Api.principal(ctx), Api.tenant(ctx), body.getString("name"), body.getInteger("size_gb"),
          body.getString("region"), Api.clientIp(ctx)), r -> r);
    });
    api.tenant(builder, "listVolumes", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, volumes.list(Api.tenant(ctx), cursor(ctx), limit(ctx)), r -> r));
    api.tenant(builder, "getVolume", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, volumes.get(Api.tenant(ctx), volumeId(ctx)), r -> r));
    api.tenant(builder, "deleteVolume", OrgRole.DEVELOPER, Access.WRITE, ctx ->
        Api.noContent(ctx, volumes.delete(Api.principal(ctx), Api.tenant(ctx), volumeId(ctx), Api.clientIp(ctx))));

    api.tenant(builder, "createVolumeSnapshot", OrgRole.DEVELOPER, Access.WRITE, ctx ->
        Api.respond(ctx, 202, snapshots.createSnapshot(Api.principal(ctx), Api.tenant(ctx), volumeId(ctx), Api.clientIp(ctx)), r -> r));
    api.tenant(builder, "listVolumeSnapshots", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, snapshots.snapshots(Api.tenant(ctx), volumeId(ctx), cursor(ctx), limit(ctx)), r -> r));
    api.tenant(builder, "getVolumeSnapshot", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, snapshots.snapshot(Api.tenant(ctx), volumeId(ctx), Api.pathId(ctx, "snapshotId")), r -> r));
    api.tenant(builder, "deleteVolumeSnapshot", OrgRole.DEVELOPER, Access.WRITE, ctx ->
        Api.noContent(ctx, snapshots.deleteSnapshot(Api.principal(ctx), Api.tenant(ctx), volumeId(ctx), Api.pathId(ctx, "snapshotId"),
            Api.clientIp(ctx))));
    api.tenant(builder, "restoreVolumeSnapshot", OrgRole.DEVELOPER, Access.WRITE, ctx -> {
      JsonObject body = Api.body(ctx);
      Api.respond(ctx, 202, snapshots.restore(Api.principal(ctx), Api.tenant(ctx), volumeId(ctx), Api.pathId(ctx, "snapshotId"),
          body.getString("target"), body.getString("name"), Api.clientIp(ctx)), r -> r);
    });
  }

  private static java.util.UUID volumeId(RoutingContext ctx) {
    return Api.pathId(ctx, "volumeId");
  }

  private static Cursor cursor(RoutingContext ctx) {
    return Cursor.decode(Api.query(ctx, "cursor"));
  }

  private static int limit(RoutingContext ctx) {
    return Cursor.limit(Api.query(ctx, "limit"));
  }
}
