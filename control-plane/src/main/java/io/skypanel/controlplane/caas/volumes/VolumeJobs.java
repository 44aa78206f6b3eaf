package io.skypanel.controlplane.caas.volumes;

import io.skypanel.common.docker.Labels;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.caas.volumes.HelperTasks.HelperMount;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The asynchronous halves of snapshot and restore, run after the API answered 202. Progress is only ever visible
 * through the database (snapshot status, volume status), so any control-plane replica can answer a GET. Every
 * outcome, including an unexpected failure, ends in a final status; a job that dies with its process is failed
 * later by {@link #sweep()}.
 */
final class VolumeJobs {

  static final String SNAPSHOT_MOUNT = "/snapshots";
  static final String DATA_MOUNT = "/data";

  private static final Logger LOG = LoggerFactory.getLogger(VolumeJobs.class);
  /** Clears the volume (dot files too), then unpacks the archive given as $1; ownership and modes come from the archive. */
  private static final String RESTORE_SCRIPT = "find /data -mindepth 1 -maxdepth 1 -exec rm -rf {} + && tar -C /data -xf \"$1\"";
  private static final String INTERRUPTED = "interrupted: the control plane stopped before the job finished";
  /** Past the helper timeout, a job still pending or running has lost its control plane. */
  private static final Duration SWEEP_GRACE = Duration.ofMinutes(5);

  private final Pool pool;
  private final Orchestrator orchestrator;
  private final HelperTasks helpers;
  private final SnapshotStore store;
  private final VolumeRepository volumes = new VolumeRepository();
  private final SnapshotRepository snapshots = new SnapshotRepository();

  VolumeJobs(Pool pool, Orchestrator orchestrator, HelperTasks helpers, SnapshotStore store) {
    this.pool = pool;
    this.orchestrator = orchestrator;
    this.helpers = helpers;
    this.store = store;
  }

  /**
   * Archives the volume into {@code <store>/<storagePath>} with {@code tar -C /data -cf /snapshots/<id>.tar .} in a
   * helper that mounts the volume read-only and only its own archive file; then records size and SHA-256.
   */
  Future<Void> snapshot(UUID organizationId, UUID volumeId, String dockerVolumeName, UUID snapshotId, String storagePath) {
    String archive = SNAPSHOT_MOUNT + "/" + snapshotId + ".tar";
    return snapshots.markRunning(pool, snapshotId).compose(running -> {
      if (!running) {
        return Future.succeededFuture();
      }
      return store.prepare(storagePath)
          .compose(file -> helpers.run(new HelperTasks.Job("skypanel-snapshot-" + snapshotId, "snapshot",
              labels(organizationId, volumeId, snapshotId),
              List.of(HelperMount.volume(dockerVolumeName, DATA_MOUNT, true), HelperMount.hostFile(file.toString(), archive, false)),
              List.of("tar", "-C", DATA_MOUNT, "-cf", archive, "."))))
          .compose(outcome -> {
            if (!outcome.succeeded()) {
              return failSnapshot(snapshotId, storagePath, outcome.message());
            }
            return store.digest(storagePath)
                .compose(digest -> snapshots.complete(pool, snapshotId, digest.sizeBytes(), digest.sha256()))
                .compose(recorded -> recorded ? Future.<Void>succeededFuture() : store.delete(storagePath));
          });
    }).recover(err -> {
      LOG.warn("snapshot {} of volume {} failed", snapshotId, volumeId, err);
      return failSnapshot(snapshotId, storagePath, "the snapshot could not be made: " + err.getMessage());
    });
  }

  /**
   * Fills the volume (already marked restoring) from a completed snapshot: creates the Docker volume first when it
   * is a new one, checks the archive against its recorded SHA-256, then clears the volume and unpacks the archive
   * in a helper that mounts the volume and only that archive file (read-only).
   */
  Future<Void> restore(UUID organizationId, UUID volumeId, String dockerVolumeName, boolean createVolume, UUID snapshotId,
                       String storagePath, String sha256) {
    String archive = SNAPSHOT_MOUNT + "/" + snapshotId + ".tar";
    Future<Void> created = createVolume
        ? orchestrator.createVolume(dockerVolumeName, VolumeService.dockerLabels(organizationId, volumeId))
        : Future.succeededFuture();
    return created
        .compose(v -> store.digest(storagePath))
        .compose(digest -> {
          if (!digest.sha256().equals(sha256)) {
            return Future.succeededFuture(new HelperTasks.Outcome(false,
                "the archive of snapshot " + snapshotId + " is damaged (its SHA-256 no longer matches); the volume was not touched"));
          }
          return helpers.run(new HelperTasks.Job("skypanel-restore-" + volumeId, "restore", labels(organizationId, volumeId, snapshotId),
              List.of(HelperMount.volume(dockerVolumeName, DATA_MOUNT, false),
                  HelperMount.hostFile(store.resolve(storagePath).toString(), archive, true)),
              List.of("sh", "-c", RESTORE_SCRIPT, "sh", archive)));
        })
        .compose(outcome -> outcome.succeeded()
            ? volumes.finishRestore(pool, volumeId, "available", null)
            : volumes.finishRestore(pool, volumeId, "failed", "restore from snapshot " + snapshotId + " failed: " + store.redact(outcome.message())))
        .recover(err -> {
          LOG.warn("restore of snapshot {} into volume {} failed", snapshotId, volumeId, err);
          return volumes.finishRestore(pool, volumeId, "failed",
              "restore from snapshot " + snapshotId + " failed: " + store.redact(String.valueOf(err.getMessage())));
        });
  }

  /**
   * Fails snapshots and restores whose control plane died (older than the helper timeout plus a grace period),
   * deletes their partial archives and removes helper services left behind.
   */
  Future<Void> sweep() {
    long olderThan = helpers.timeout().plus(SWEEP_GRACE).toSeconds();
    Future<Void> stale = snapshots.sweep(pool, olderThan, INTERRUPTED)
        .compose(paths -> Future.join(paths.stream().map(store::delete).toList()).<Void>mapEmpty())
        .compose(v -> volumes.sweepRestores(pool, olderThan, "restore " + INTERRUPTED))
        .compose(v -> finishUnfinished(SWEEP_GRACE.multipliedBy(2).toSeconds()))
        .mapEmpty();
    return stale.compose(v -> helpers.removeStale(helpers.timeout().plus(SWEEP_GRACE))).mapEmpty();
  }

  /**
   * A create or delete takes milliseconds between its database steps; one still pending or deleting long after lost
   * its control plane. Either way the volume is not wanted: its Docker volume (if any) and its row go.
   */
  private Future<Void> finishUnfinished(long olderThanSeconds) {
    return volumes.unfinished(pool, olderThanSeconds).compose(stuck -> Future.join(stuck.entrySet().stream()
        .map(volume -> orchestrator.removeVolume(volume.getValue())
            .compose(v -> volumes.deleteUnfinished(pool, volume.getKey(), olderThanSeconds))
            .onSuccess(v -> LOG.warn("removed volume {} left unfinished by a control plane that stopped", volume.getKey()))
            .onFailure(err -> LOG.warn("could not remove unfinished volume {}: {}", volume.getKey(), err.getMessage())))
        .toList())).mapEmpty();
  }

  private Future<Void> failSnapshot(UUID snapshotId, String storagePath, String message) {
    return snapshots.fail(pool, snapshotId, store.redact(message))
        .eventually(() -> store.delete(storagePath))
        .recover(err -> {
          LOG.warn("could not record the failure of snapshot {}: {}", snapshotId, err.getMessage());
          return Future.succeededFuture();
        });
  }

  private static Map<String, String> labels(UUID organizationId, UUID volumeId, UUID snapshotId) {
    return Map.of(VolumeService.ORG_LABEL, organizationId.toString(), VolumeService.VOLUME_LABEL, volumeId.toString(),
        Labels.SNAPSHOT, snapshotId.toString());
  }
}
