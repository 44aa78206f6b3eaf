package io.skypanel.controlplane.caas.volumes;

import io.skypanel.common.Platform;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.UUID;

/**
 * Snapshots of CaaS volumes (tar archives in the platform's snapshot store) and restores, into the same volume or
 * a new one. Both answer 202 and run in the background ({@link VolumeJobs}); their progress is the snapshot's
 * status and the target volume's status ({@code restoring} → {@code available} or {@code failed} with
 * {@code status_reason}).
 */
public final class SnapshotService {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotService.class);
  /** Statuses in which a volume holds data that can be read or replaced. */
  private static final Set<String> SNAPSHOTTABLE = Set.of("available", "in_use");
  private static final Set<String> RESTORABLE = Set.of("available", "failed");
  private static final long SWEEP_PERIOD_MS = 60_000;

  private final Pool pool;
  private final SnapshotStore store;
  private final VolumeJobs jobs;
  private final VolumeRepository volumes = new VolumeRepository();
  private final SnapshotRepository snapshots = new SnapshotRepository();
  private final ActivityRepository activity = new ActivityRepository();
  private final VolumeRules rules;

  public SnapshotService(Platform platform, ControlPlaneOptions options, Orchestrator orchestrator, QuotaService quotas) {
    this.pool = platform.pool();
    this.rules = new VolumeRules(volumes, quotas);
    this.store = new SnapshotStore(platform.vertx(), options.caas().snapshotDir());
    HelperTasks helpers = new HelperTasks(platform.vertx(), platform.docker(), orchestrator, options.caas().helperImage(),
        options.caas().helperTimeout(), options.caas().helperPoll().toMillis());
    this.jobs = new VolumeJobs(pool, orchestrator, helpers, store);
    // fails jobs whose control plane died; timers set while the verticle starts end with it
    platform.vertx().setPeriodic(SWEEP_PERIOD_MS, SWEEP_PERIOD_MS, id -> jobs.sweep()
        .onFailure(err -> LOG.debug("volume job sweep failed: {}", err.getMessage())));
  }

  /** Records a pending snapshot and starts making it; the caller sees progress through {@link #snapshot}. */
  public Future<JsonObject> createSnapshot(Principal principal, OrgContext org, UUID volumeId, String ip) {
    UUID orgId = org.organizationId();
    UUID id = UUID.randomUUID();
    String storagePath = SnapshotStore.relativePath(orgId, id);
    return pool.withTransaction(conn -> volumes.lock(conn, orgId, volumeId).compose(VolumeRules::volumeFound).compose(volume -> {
          if (!SNAPSHOTTABLE.contains(volume.getString("status"))) {
            return Future.failedFuture(VolumeRules.busy(volume));
          }
          return snapshots.insert(conn, id, orgId, volumeId, storagePath, principal.userId())
              .compose(snapshot -> activity.insert(conn, VolumeRules.entry(org, principal, "caas.volume.snapshot.create", "volume_snapshot", id,
                  new JsonObject().put("volume_id", volumeId.toString()).put("volume_name", volume.getString("name")), ip)).map(snapshot))
              .map(snapshot -> new JsonObject().put("snapshot", snapshot).put("volume", volume));
        }))
        .recover(err -> Future.failedFuture(VolumeRules.isUniqueViolation(err)
            ? ApiException.conflict("snapshot_in_progress", "a snapshot of this volume is already being made; wait for it to finish")
            : err))
        .map(created -> {
          JsonObject volume = created.getJsonObject("volume");
          jobs.snapshot(orgId, volumeId, volume.getString("docker_volume_name"), id, storagePath);
          return publicSnapshot(created.getJsonObject("snapshot"));
        });
  }

  public Future<JsonObject> snapshots(OrgContext org, UUID volumeId, Cursor cursor, int limit) {
    return volumes.byId(pool, org.organizationId(), volumeId).compose(VolumeRules::volumeFound)
        .compose(volume -> snapshots.page(pool, org.organizationId(), volumeId, cursor == null ? null : cursor.createdAt(),
            cursor == null ? null : cursor.id(), limit + 1))
        .map(rows -> Pages.of(rows.stream().map(SnapshotService::publicSnapshot).toList(), limit));
  }

  public Future<JsonObject> snapshot(OrgContext org, UUID volumeId, UUID snapshotId) {
    return snapshots.byId(pool, org.organizationId(), volumeId, snapshotId).compose(VolumeRules::snapshotFound)
        .map(SnapshotService::publicSnapshot);
  }

  /** Deletes a finished snapshot and its archive; refused while it is being made or a restore reads it. */
  public Future<Void> deleteSnapshot(Principal principal, OrgContext org, UUID volumeId, UUID snapshotId, String ip) {
    UUID orgId = org.organizationId();
    return pool.withTransaction(conn -> snapshots.lock(conn, orgId, volumeId, snapshotId).compose(VolumeRules::snapshotFound)
            .compose(snapshot -> {
              if (Set.of("pending", "running").contains(snapshot.getString("status"))) {
                return Future.failedFuture(ApiException.conflict("snapshot_in_progress", "the snapshot is still being made"));
              }
              return snapshots.beingRestored(conn, snapshotId).compose(restoring -> restoring
                  ? Future.failedFuture(ApiException.conflict("snapshot_in_use", "a restore from this snapshot is in progress"))
                  : snapshots.delete(conn, orgId, snapshotId)
                      .compose(v -> activity.insert(conn, VolumeRules.entry(org, principal, "caas.volume.snapshot.delete", "volume_snapshot", snapshotId,
                          new JsonObject().put("volume_id", volumeId.toString()), ip)))
                      .map(snapshot.getString("storage_path")));
            }))
        .compose(path -> store.delete(path).recover(err -> {
          LOG.warn("snapshot {} is deleted but its archive {} could not be removed: {}", snapshotId, path, err.getMessage());
          return Future.succeededFuture();
        }));
  }

  // --- restore -------------------------------------------------------------------------------

  /**
   * Restores a completed snapshot of {@code volumeId} into that same volume ({@code same}: its content is replaced)
   * or into a new volume named {@code name} of the same size ({@code new}: counted against the plan like a create).
   * Answers the target volume, now {@code restoring}.
   */
  public Future<JsonObject> restore(Principal principal, OrgContext org, UUID volumeId, UUID snapshotId, String target, String name, String ip) {
    boolean same = "same".equals(target);
    if (same && name != null) {
      return Future.failedFuture(ApiException.validation("name is only for target 'new'",
          new JsonArray().add(new JsonObject().put("field", "/name").put("rule", "target").put("message", "only with target 'new'"))));
    }
    if (!same && name == null) {
      return Future.failedFuture(ApiException.validation("name is required for target 'new'",
          new JsonArray().add(new JsonObject().put("field", "/name").put("rule", "required").put("message", "required with target 'new'"))));
    }
    UUID orgId = org.organizationId();
    UUID targetId = same ? volumeId : UUID.randomUUID();
    return pool.withTransaction(conn -> (same ? Future.<Void>succeededFuture() : volumes.lockOrganization(conn, orgId))
            .compose(v -> volumes.lock(conn, orgId, volumeId)).compose(VolumeRules::volumeFound)
            .compose(source -> snapshots.lock(conn, orgId, volumeId, snapshotId).compose(VolumeRules::snapshotFound).compose(snapshot -> {
              if (!"completed".equals(snapshot.getString("status"))) {
                return Future.failedFuture(ApiException.conflict("snapshot_not_completed",
                    "the snapshot is " + snapshot.getString("status") + "; only a completed snapshot can be restored"));
              }
              Future<JsonObject> targetVolume = same ? restoreIntoSame(conn, orgId, source, snapshotId)
                  : restoreIntoNew(conn, principal, orgId, targetId, name, source, snapshotId);
              return targetVolume.compose(volume -> activity.insert(conn, VolumeRules.entry(org, principal, "caas.volume.restore", "volume", targetId,
                      new JsonObject().put("snapshot_id", snapshotId.toString()).put("source_volume_id", volumeId.toString())
                          .put("target", target).put("volume_name", volume.getString("name")), ip))
                  .map(x -> new JsonObject().put("volume", volume).put("snapshot", snapshot)));
            })))
        .map(started -> {
          JsonObject volume = started.getJsonObject("volume");
          JsonObject snapshot = started.getJsonObject("snapshot");
          jobs.restore(orgId, targetId, volume.getString("docker_volume_name"), !same, snapshotId,
              snapshot.getString("storage_path"), snapshot.getString("sha256"));
          return volume;
        });
  }

  private Future<JsonObject> restoreIntoSame(SqlClient conn, UUID orgId, JsonObject volume, UUID snapshotId) {
    UUID volumeId = UUID.fromString(volume.getString("id"));
    if (!RESTORABLE.contains(volume.getString("status"))) {
      return Future.failedFuture(VolumeRules.busy(volume));
    }
    return volumes.usedBy(conn, orgId, volumeId)
        .compose(container -> container != null
            ? Future.failedFuture(ApiException.conflict("volume_in_use", "the volume is mounted by container '" + container
                + "'; its content cannot be replaced while it is mounted"))
            : snapshots.counts(conn, orgId, volumeId))
        .compose(counts -> counts.inProgress() > 0
            ? Future.failedFuture(ApiException.conflict("volume_busy", "a snapshot of the volume is being made; wait for it to finish"))
            : volumes.startRestore(conn, orgId, volumeId, snapshotId));
  }

  private Future<JsonObject> restoreIntoNew(SqlClient conn, Principal principal, UUID orgId, UUID targetId, String name, JsonObject source,
                                            UUID snapshotId) {
    int sizeGb = source.getInteger("size_gb");
    return rules.checkNameAndQuota(conn, orgId, name, sizeGb)
        .compose(v -> volumes.insert(conn, targetId, orgId, name, sizeGb, source.getString("region"), VolumeService.dockerName(targetId), "restoring",
            snapshotId, principal.userId()))
        .compose(inserted -> inserted == null ? Future.failedFuture(VolumeRules.nameTaken(name)) : Future.succeededFuture(inserted));
  }


  static JsonObject publicSnapshot(JsonObject snapshot) {
    JsonObject copy = snapshot.copy();
    copy.remove("storage_path");
    return copy;
  }
}
