package io.skypanel.controlplane.caas.volumes;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.SqlClient;

import java.util.UUID;

/** The rules volumes and their snapshots share: names, quotas, the answers for busy and missing ones. */
final class VolumeRules {

  private static final String UNIQUE_VIOLATION = "23505";

  private final VolumeRepository volumes;
  private final QuotaService quotas;

  VolumeRules(VolumeRepository volumes, QuotaService quotas) {
    this.volumes = volumes;
    this.quotas = quotas;
  }

  /**
   * Locks the organization, then: a taken name is 409 (the more specific answer, so checked first); one more volume
   * of {@code sizeGb} must fit the plan, else 422 quota_exceeded naming the limit.
   */
  Future<Void> checkNameAndQuota(SqlClient conn, UUID organizationId, String name, int sizeGb) {
    return volumes.lockOrganization(conn, organizationId)
        .compose(v -> volumes.nameTaken(conn, organizationId, name))
        .compose(taken -> taken ? Future.failedFuture(nameTaken(name)) : quotas.checkNewVolume(conn, organizationId, sizeGb));
  }

  static ApiException nameTaken(String name) {
    return ApiException.conflict("volume_name_taken", "the organization already has a volume named '" + name + "'");
  }

  static ApiException busy(JsonObject volume) {
    String status = volume.getString("status");
    if (status.equals("failed")) {
      return ApiException.conflict("volume_busy", "the volume is failed (" + volume.getString("status_reason")
          + "); restore a snapshot into it or delete it");
    }
    return ApiException.conflict("volume_busy", "the volume is " + status + "; try again when it is available");
  }

  static boolean isUniqueViolation(Throwable err) {
    return err instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState());
  }

  static JsonObject publicSnapshot(JsonObject snapshot) {
    JsonObject copy = snapshot.copy();
    copy.remove("storage_path");
    return copy;
  }

  static ActivityEntry entry(OrgContext org, Principal principal, String action, String targetType, UUID targetId,
                                     JsonObject metadata, String ip) {
    return new ActivityEntry(org.organizationId(), principal.userId(), action, targetType, targetId.toString(), metadata, ip);
  }

  static Future<JsonObject> volumeFound(JsonObject volume) {
    return volume == null ? Future.failedFuture(ApiException.notFound("volume")) : Future.succeededFuture(volume);
  }

  static Future<JsonObject> snapshotFound(JsonObject snapshot) {
    return snapshot == null ? Future.failedFuture(ApiException.notFound("snapshot")) : Future.succeededFuture(snapshot);
  }
}
