package io.skypanel.controlplane.paas.addons.backups;

import io.skypanel.controlplane.paas.addons.Addon;
import io.skypanel.controlplane.paas.addons.AddonRemovalHook;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The final backup before an add-on's data goes (kind {@code final}, kept for its plan's retention), unless the
 * caller asked to skip it (persisted on the add-on, so a removal resumed after a restart honours it). A removal
 * resumed after the final backup completed does not take another. A failed final backup stops the removal (the
 * next sweep tries again) until {@link #ATTEMPTS} failed; then the removal goes on without one, logged, so a broken
 * server cannot keep an add-on from ever going.
 */
final class FinalBackupHook implements AddonRemovalHook {

  static final int ATTEMPTS = 3;
  private static final Logger LOG = LoggerFactory.getLogger(FinalBackupHook.class);

  private final Pool pool;
  private final AddonBackupRunner runner;
  private final AddonBackupRepository backups = new AddonBackupRepository();

  FinalBackupHook(Pool pool, AddonBackupRunner runner) {
    this.pool = pool;
    this.runner = runner;
  }

  @Override
  public Future<Void> beforeRemoval(Addon addon, boolean skipFinalBackup) {
    if (skipFinalBackup) {
      return Future.succeededFuture();
    }
    return backups.skipFinalBackup(pool, addon.id()).compose(skip -> skip ? Future.succeededFuture()
        : backups.finalBackups(pool, addon.id()).compose(counts -> {
          if (counts[0] > 0) {
            // taken already (a pending or running one from a stopped control plane is failed by the scheduler's sweep)
            return Future.succeededFuture();
          }
          if (counts[1] >= ATTEMPTS) {
            LOG.warn("add-on {} is removed without a final backup: {} attempts failed", addon.id(), counts[1]);
            return Future.succeededFuture();
          }
          return backups.insert(pool, addon.id(), "final", null)
              .compose(backup -> runner.backup(addon, backup))
              .compose(ok -> ok ? Future.succeededFuture()
                  : Future.failedFuture(new IllegalStateException("the final backup failed; the removal waits for the next attempt")));
        }));
  }
}
