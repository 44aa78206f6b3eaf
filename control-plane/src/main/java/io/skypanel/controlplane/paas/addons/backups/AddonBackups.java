package io.skypanel.controlplane.paas.addons.backups;

import io.skypanel.common.Platform;
import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Idempotency;
import io.skypanel.controlplane.paas.addons.AddonHelperTask;
import io.skypanel.controlplane.paas.addons.AddonRemovalHook;
import io.skypanel.controlplane.paas.addons.AddonRuntime;
import io.skypanel.controlplane.paas.addons.AddonService;
import io.vertx.core.WorkerExecutor;

import java.time.Duration;

/**
 * Wires add-on backups: the store ({@link LocalDirectoryBackupStore}, or {@link S3BackupStore} when the options name
 * one), the runner, the final-backup removal hook, the API
 * and the scheduler. Built in two steps because the hook is needed before the add-on service exists.
 */
public final class AddonBackups {

  /** Blocking store work (retention deletes) runs here, never on an event loop. */
  static final String POOL = "skypanel-addon-backups";
  /** The S3 store's downloads read the object here, chunk by chunk. */
  static final String S3_POOL = "skypanel-backup-s3";

  private final Platform platform;
  private final ControlPlaneOptions.AddonBackups options;
  private final BackupStore store;
  private final AddonBackupRunner runner;
  private final BackupScheduler scheduler;

  public AddonBackups(Platform platform, AddonRuntime runtime, AddonHelperTask helper, ControlPlaneOptions.AddonBackups options) {
    this.platform = platform;
    this.options = options;
    this.store = options.s3() == null ? new LocalDirectoryBackupStore(platform.vertx(), options.directory())
        : new S3BackupStore(platform.vertx(), platform.vertx().createSharedWorkerExecutor(S3_POOL, 4), options.s3());
    BackupTransfer transfer = new BackupTransfer(platform.docker(), store, options.gzipLevel());
    this.runner = new AddonBackupRunner(platform.pool(), runtime, helper, transfer, platform.metrics().registry(), options.timeout());
    WorkerExecutor workers = platform.vertx().createSharedWorkerExecutor(POOL, 1);
    this.scheduler = new BackupScheduler(platform.vertx(), platform.pool(), runner, store, workers, options.timeout(),
        options.orphanSweep());
  }

  /** The final backup before an add-on's data is removed. */
  public AddonRemovalHook removalHook() {
    return new FinalBackupHook(platform.pool(), runner);
  }

  public ApiFeature feature(AddonService addons, Idempotency idempotency, Duration provisionTimeout) {
    AddonBackupService backups = new AddonBackupService(platform.pool(), runner, store);
    return new AddonBackupsFeature(backups, new AddonRestores(platform.vertx(), platform.pool(), backups, addons, runner, provisionTimeout),
        idempotency);
  }

  public void start() {
    scheduler.start(options.scheduleInterval());
  }

  public void stop() {
    scheduler.stop();
    if (store instanceof S3BackupStore s3) {
      s3.close();
    }
  }
}
