package io.skypanel.controlplane.caas.volumes;

import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.common.docker.Labels;
import com.github.dockerjava.api.exception.ConflictException;
import io.skypanel.common.Platform;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * CaaS volumes: named Docker volumes owned by an organization, their snapshots (tar archives in the platform's
 * snapshot store) and restores.
 *
 * <ul>
 *   <li>Create: the plan's {@code max_volumes} (count) and {@code max_volume_gb} (total GB of all the organization's
 *       volumes) are checked under a lock on the organization, a {@code pending} row is inserted, the Docker volume
 *       {@code v-<volume id>} is created, and the row becomes {@code available} together with its activity entry.
 *       When Docker fails the row is removed and nothing was created.</li>
 *   <li>Delete: refused (409) while a container mounts the volume, while it has snapshots (the schema keeps no
 *       archive orphaned: delete the snapshots first) and while it is being created, restored or deleted.</li>
 *   <li>Snapshot and restore answer 202 and run in the background ({@link VolumeJobs}); their progress is the
 *       snapshot's status and the target volume's status ({@code restoring} → {@code available} or {@code failed}
 *       with {@code status_reason}).</li>
 * </ul>
 */
public final class VolumeService {

  static final String ORG_LABEL = Labels.ORG;
  static final String VOLUME_LABEL = Labels.VOLUME;

  private static final Logger LOG = LoggerFactory.getLogger(VolumeService.class);
  private static final String UNIQUE_VIOLATION = "23505";
  /** Statuses in which a volume holds data that can be read or replaced. */
  private static final Set<String> SNAPSHOTTABLE = Set.of("available", "in_use");
  private static final Set<String> RESTORABLE = Set.of("available", "failed");
  private static final Set<String> DELETABLE = Set.of("available", "in_use", "failed");
  private static final long SWEEP_PERIOD_MS = 60_000;

  private final Pool pool;
  private final Orchestrator orchestrator;
  private final QuotaService quotas;
  private final String region;
  private final SnapshotStore store;
  private final VolumeJobs jobs;
  private final VolumeRepository volumes = new VolumeRepository();
  private final SnapshotRepository snapshots = new SnapshotRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public VolumeService(Platform platform, ControlPlaneOptions options, Orchestrator orchestrator, QuotaService quotas) {
    this.pool = platform.pool();
    this.orchestrator = orchestrator;
    this.quotas = quotas;
    this.region = options.catalog().defaultRegion();
    this.store = new SnapshotStore(platform.vertx(), options.caas().snapshotDir());
    HelperTasks helpers = new HelperTasks(platform.vertx(), platform.docker(), options.caas().helperImage(), options.caas().helperTimeout(),
        options.caas().helperPoll().toMillis());
    this.jobs = new VolumeJobs(pool, orchestrator, helpers, store);
    // fails jobs whose control plane died; timers set while the verticle starts end with it
    platform.vertx().setPeriodic(SWEEP_PERIOD_MS, SWEEP_PERIOD_MS, id -> jobs.sweep()
        .onFailure(err -> LOG.debug("volume job sweep failed: {}", err.getMessage())));
  }

  /** Labels of the Docker volume of a CaaS volume. */
  static Map<String, String> dockerLabels(UUID organizationId, UUID volumeId) {
    return Map.of(ORG_LABEL, organizationId.toString(), VOLUME_LABEL, volumeId.toString());
  }

  static String dockerName(UUID volumeId) {
    return "v-" + volumeId;
  }

  // --- volumes -------------------------------------------------------------------------------

  public Future<JsonObject> list(OrgContext org, Cursor cursor, int limit) {
    return volumes.page(pool, org.organizationId(), cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1)
        .map(rows -> Pages.of(rows, limit));
  }

  public Future<JsonObject> get(OrgContext org, UUID volumeId) {
    return volumes.byId(pool, org.organizationId(), volumeId).compose(VolumeService::volumeFound);
  }

  public Future<JsonObject> create(Principal principal, OrgContext org, String name, int sizeGb, String requestedRegion, String ip) {
    String volumeRegion = requestedRegion == null ? region : requestedRegion;
    if (!volumeRegion.equals(region)) {
      return Future.failedFuture(ApiException.unprocessable("unsupported_region",
          "volumes can only be created in region '" + region + "' of this installation"));
    }
    UUID id = UUID.randomUUID();
    String dockerName = dockerName(id);
    return pool.withTransaction(conn -> checkNameAndQuota(conn, org.organizationId(), name, sizeGb)
            .compose(v -> volumes.insert(conn, id, org.organizationId(), name, sizeGb, volumeRegion, dockerName, "pending", null, principal.userId()))
            .compose(inserted -> inserted == null ? Future.failedFuture(nameTaken(name)) : Future.succeededFuture(inserted)))
        .compose(pending -> orchestrator.createVolume(dockerName, dockerLabels(org.organizationId(), id))
            .recover(err -> {
              LOG.warn("could not create Docker volume {} for volume {}", dockerName, id, err);
              return pool.withTransaction(conn -> volumes.delete(conn, org.organizationId(), id))
                  .transform(x -> Future.failedFuture(ApiException.unavailable("orchestration_failed",
                      "the volume could not be created on the container runtime; nothing was created, try again later")));
            }))
        .compose(created -> pool.withTransaction(conn -> volumes.markCreated(conn, id)
            .compose(volume -> volume == null ? Future.failedFuture(ApiException.unavailable("orchestration_failed",
                "creating the volume took too long and was abandoned; try again")) : Future.succeededFuture(volume))
            .compose(volume -> activity.insert(conn, entry(org, principal, "caas.volume.create", "volume", id,
                new JsonObject().put("name", name).put("size_gb", sizeGb).put("region", volumeRegion)
                    .put("docker_volume_name", dockerName), ip)).map(volume))));
  }

  public Future<Void> delete(Principal principal, OrgContext org, UUID volumeId, String ip) {
    UUID orgId = org.organizationId();
    return pool.withTransaction(conn -> volumes.lock(conn, orgId, volumeId).compose(VolumeService::volumeFound).compose(volume -> {
          String status = volume.getString("status");
          if (!DELETABLE.contains(status)) {
            return Future.failedFuture(busy(volume));
          }
          return volumes.usedBy(conn, orgId, volumeId).compose(container -> container != null
                  ? Future.failedFuture(ApiException.conflict("volume_in_use", "the volume is mounted by container '" + container
                      + "'; remove it from the container first"))
                  : snapshots.counts(conn, orgId, volumeId))
              .compose(counts -> counts.snapshots() > 0
                  ? Future.failedFuture(ApiException.conflict("volume_has_snapshots", "the volume has " + counts.snapshots()
                      + " snapshot(s); delete them first"))
                  : volumes.setStatus(conn, orgId, volumeId, "deleting", null))
              .map(marked -> volume);
        }))
        .compose(volume -> orchestrator.removeVolume(volume.getString("docker_volume_name"))
            .recover(err -> {
              LOG.warn("could not remove Docker volume {} of volume {}: {}", volume.getString("docker_volume_name"), volumeId, err.getMessage());
              // back to what it was: the volume is still there and still usable
              return pool.withTransaction(conn -> volumes.setStatus(conn, orgId, volumeId, volume.getString("status"), volume.getString("status_reason")))
                  .transform(x -> Future.failedFuture(err instanceof ConflictException
                      ? ApiException.conflict("volume_in_use", "the container runtime reports the volume is still in use; try again later")
                      : ApiException.unavailable("orchestration_failed", "the volume could not be removed from the container runtime; try again later")));
            })
            .compose(removed -> pool.withTransaction(conn -> volumes.delete(conn, orgId, volumeId)
                .compose(v -> activity.insert(conn, entry(org, principal, "caas.volume.delete", "volume", volumeId,
                    new JsonObject().put("name", volume.getString("name")).put("docker_volume_name", volume.getString("docker_volume_name")), ip))))));
  }

  // --- snapshots -----------------------------------------------------------------------------

  /** Records a pending snapshot and starts making it; the caller sees progress through {@link #snapshot}. */
  public Future<JsonObject> createSnapshot(Principal principal, OrgContext org, UUID volumeId, String ip) {
    UUID orgId = org.organizationId();
    UUID id = UUID.randomUUID();
    String storagePath = SnapshotStore.relativePath(orgId, id);
    return pool.withTransaction(conn -> volumes.lock(conn, orgId, volumeId).compose(VolumeService::volumeFound).compose(volume -> {
          if (!SNAPSHOTTABLE.contains(volume.getString("status"))) {
            return Future.failedFuture(busy(volume));
          }
          return snapshots.insert(conn, id, orgId, volumeId, storagePath, principal.userId())
              .compose(snapshot -> activity.insert(conn, entry(org, principal, "caas.volume.snapshot.create", "volume_snapshot", id,
                  new JsonObject().put("volume_id", volumeId.toString()).put("volume_name", volume.getString("name")), ip)).map(snapshot))
              .map(snapshot -> new JsonObject().put("snapshot", snapshot).put("volume", volume));
        }))
        .recover(err -> Future.failedFuture(isUniqueViolation(err)
            ? ApiException.conflict("snapshot_in_progress", "a snapshot of this volume is already being made; wait for it to finish")
            : err))
        .map(created -> {
          JsonObject volume = created.getJsonObject("volume");
          jobs.snapshot(orgId, volumeId, volume.getString("docker_volume_name"), id, storagePath);
          return publicSnapshot(created.getJsonObject("snapshot"));
        });
  }

  public Future<JsonObject> snapshots(OrgContext org, UUID volumeId, Cursor cursor, int limit) {
    return volumes.byId(pool, org.organizationId(), volumeId).compose(VolumeService::volumeFound)
        .compose(volume -> snapshots.page(pool, org.organizationId(), volumeId, cursor == null ? null : cursor.createdAt(),
            cursor == null ? null : cursor.id(), limit + 1))
        .map(rows -> Pages.of(rows.stream().map(VolumeService::publicSnapshot).toList(), limit));
  }

  public Future<JsonObject> snapshot(OrgContext org, UUID volumeId, UUID snapshotId) {
    return snapshots.byId(pool, org.organizationId(), volumeId, snapshotId).compose(VolumeService::snapshotFound)
        .map(VolumeService::publicSnapshot);
  }

  /** Deletes a finished snapshot and its archive; refused while it is being made or a restore reads it. */
  public Future<Void> deleteSnapshot(Principal principal, OrgContext org, UUID volumeId, UUID snapshotId, String ip) {
    UUID orgId = org.organizationId();
    return pool.withTransaction(conn -> snapshots.lock(conn, orgId, volumeId, snapshotId).compose(VolumeService::snapshotFound)
            .compose(snapshot -> {
              if (Set.of("pending", "running").contains(snapshot.getString("status"))) {
                return Future.failedFuture(ApiException.conflict("snapshot_in_progress", "the snapshot is still being made"));
              }
              return snapshots.beingRestored(conn, snapshotId).compose(restoring -> restoring
                  ? Future.failedFuture(ApiException.conflict("snapshot_in_use", "a restore from this snapshot is in progress"))
                  : snapshots.delete(conn, orgId, snapshotId)
                      .compose(v -> activity.insert(conn, entry(org, principal, "caas.volume.snapshot.delete", "volume_snapshot", snapshotId,
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
            .compose(v -> volumes.lock(conn, orgId, volumeId)).compose(VolumeService::volumeFound)
            .compose(source -> snapshots.lock(conn, orgId, volumeId, snapshotId).compose(VolumeService::snapshotFound).compose(snapshot -> {
              if (!"completed".equals(snapshot.getString("status"))) {
                return Future.failedFuture(ApiException.conflict("snapshot_not_completed",
                    "the snapshot is " + snapshot.getString("status") + "; only a completed snapshot can be restored"));
              }
              Future<JsonObject> targetVolume = same ? restoreIntoSame(conn, orgId, source, snapshotId)
                  : restoreIntoNew(conn, principal, orgId, targetId, name, source, snapshotId);
              return targetVolume.compose(volume -> activity.insert(conn, entry(org, principal, "caas.volume.restore", "volume", targetId,
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
      return Future.failedFuture(busy(volume));
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
    return checkNameAndQuota(conn, orgId, name, sizeGb)
        .compose(v -> volumes.insert(conn, targetId, orgId, name, sizeGb, source.getString("region"), dockerName(targetId), "restoring",
            snapshotId, principal.userId()))
        .compose(inserted -> inserted == null ? Future.failedFuture(nameTaken(name)) : Future.succeededFuture(inserted));
  }

  // --- rules ---------------------------------------------------------------------------------

  /**
   * Locks the organization, then: a taken name is 409 (the more specific answer, so checked first); one more volume
   * of {@code sizeGb} must fit the plan, else 422 quota_exceeded naming the limit.
   */
  private Future<Void> checkNameAndQuota(SqlClient conn, UUID organizationId, String name, int sizeGb) {
    return volumes.lockOrganization(conn, organizationId)
        .compose(v -> volumes.nameTaken(conn, organizationId, name))
        .compose(taken -> taken ? Future.failedFuture(nameTaken(name)) : quotas.checkNewVolume(conn, organizationId, sizeGb));
  }

  private static ApiException nameTaken(String name) {
    return ApiException.conflict("volume_name_taken", "the organization already has a volume named '" + name + "'");
  }

  private static ApiException busy(JsonObject volume) {
    String status = volume.getString("status");
    if (status.equals("failed")) {
      return ApiException.conflict("volume_busy", "the volume is failed (" + volume.getString("status_reason")
          + "); restore a snapshot into it or delete it");
    }
    return ApiException.conflict("volume_busy", "the volume is " + status + "; try again when it is available");
  }

  private static boolean isUniqueViolation(Throwable err) {
    return err instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState());
  }

  private static JsonObject publicSnapshot(JsonObject snapshot) {
    JsonObject copy = snapshot.copy();
    copy.remove("storage_path");
    return copy;
  }

  private static ActivityEntry entry(OrgContext org, Principal principal, String action, String targetType, UUID targetId,
                                     JsonObject metadata, String ip) {
    return new ActivityEntry(org.organizationId(), principal.userId(), action, targetType, targetId.toString(), metadata, ip);
  }

  private static Future<JsonObject> volumeFound(JsonObject volume) {
    return volume == null ? Future.failedFuture(ApiException.notFound("volume")) : Future.succeededFuture(volume);
  }

  private static Future<JsonObject> snapshotFound(JsonObject snapshot) {
    return snapshot == null ? Future.failedFuture(ApiException.notFound("snapshot")) : Future.succeededFuture(snapshot);
  }
}
