package io.skypanel.controlplane.paas.addons.backups;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.skypanel.controlplane.paas.addons.Addon;
import io.skypanel.controlplane.paas.addons.AddonHelperTask;
import io.skypanel.controlplane.paas.addons.AddonRuntime;
import io.skypanel.controlplane.paas.addons.engines.AddonEngine;
import io.skypanel.controlplane.runtime.orchestration.DesiredService.SecretMount;
import io.skypanel.controlplane.runtime.orchestration.ServiceSpecFactory;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * Takes and restores dumps with the add-on's own image in a helper task on its network ({@link AddonHelperTask}):
 * a backup runs the engine's dump command into the task's filesystem and, once it completed, copies the file out
 * into the {@link BackupStore}; a restore starts a task that waits (bounded) for the dump and a marker copied into
 * it, then runs the engine's restore command. Every outcome is recorded on the backup's row and counted in
 * {@code skypanel_addon_backups_total{service,result}}; a failure is logged here, once, with its cause.
 */
final class AddonBackupRunner {

  private static final Logger LOG = LoggerFactory.getLogger(AddonBackupRunner.class);
  private static final String DUMP_FILE = "/skypanel-backup/dump";
  private static final String PASSWORD_FILE = ServiceSpecFactory.SECRETS_DIR + AddonRuntime.PASSWORD_FILE_NAME;

  private final Pool pool;
  private final AddonRuntime runtime;
  private final AddonHelperTask helper;
  private final BackupTransfer transfer;
  private final MeterRegistry registry;
  private final Duration timeout;
  private final AddonBackupRepository backups = new AddonBackupRepository();

  AddonBackupRunner(Pool pool, AddonRuntime runtime, AddonHelperTask helper, BackupTransfer transfer, MeterRegistry registry, Duration timeout) {
    this.pool = pool;
    this.runtime = runtime;
    this.helper = helper;
    this.transfer = transfer;
    this.registry = registry;
    this.timeout = timeout;
  }

  /** Runs the pending backup to its end; whether it completed. Never fails: a failure is recorded on the row. */
  Future<Boolean> backup(Addon addon, AddonBackup backup) {
    return backups.running(pool, backup.id())
        .compose(v -> {
          AddonEngine engine = runtime.engine(addon.service());
          String command = "mkdir -p " + DUMP_FILE.substring(0, DUMP_FILE.lastIndexOf('/')) + " && "
              + engine.dumpCommand(addon.serviceName(), runtime.credentials(addon), PASSWORD_FILE, DUMP_FILE);
          return helper.run(addon, engine.image(addon.version()), addon.networkId(), secrets(addon), "backup-" + shortId(backup),
              command, timeout, null, containerId -> transfer.copyOut(containerId, DUMP_FILE, backup.storeKey()));
        })
        .compose(stored -> backups.completed(pool, backup.id(), stored.size(), stored.sha256(), stored.dumpBytes()))
        .transform(done -> {
          count(addon.service(), done.succeeded() ? "completed" : "failed");
          if (done.succeeded()) {
            return Future.succeededFuture(true);
          }
          // the reason names the step; no command line, environment or URL (those carry no secret either, but stay inside)
          String reason = "the dump failed: " + done.cause().getMessage();
          LOG.warn("backup {} ({}) of add-on {} failed: {}", backup.id(), backup.kind(), addon.id(), done.cause().getMessage(), done.cause());
          return backups.failed(pool, backup.id(), reason)
              .onFailure(err -> LOG.error("recording the failure of backup {} failed", backup.id(), err))
              .transform(x -> Future.succeededFuture(false));
        });
  }

  /**
   * Replaces the content of {@code target} with the backup's dump. Fails with a reason fit for the restore's row
   * (the caller records and logs it).
   */
  Future<Void> restore(Addon target, AddonBackup backup, String restoreId) {
    AddonEngine engine = runtime.engine(target.service());
    String fromInput = engine.restoreFromInputCommand(target.serviceName(), runtime.credentials(target), PASSWORD_FILE);
    String command = fromInput != null && backup.dumpBytes() != null && backup.dumpBytes() > RestoreScript.HELD_BACK_BYTES
        ? RestoreScript.asItArrives(backup.dumpBytes(), timeout, fromInput)
        : RestoreScript.onceArrived(timeout, engine.restoreCommand(target.serviceName(), runtime.credentials(target), PASSWORD_FILE,
            BackupTransfer.RESTORE_FILE));
    return helper.<Void>run(target, engine.image(target.version()), target.networkId(), secrets(target), "restore-" + restoreId.substring(0, 8),
        command, timeout, containerId -> transfer.copyIn(containerId, backup.storeKey(), backup.dumpBytes(), backup.sha256()), null);
  }

  private static List<SecretMount> secrets(Addon addon) {
    return List.of(new SecretMount(addon.passwordSecretId(), AddonRuntime.passwordSecretName(addon, addon.credentialsVersion()),
        AddonRuntime.PASSWORD_FILE_NAME));
  }

  private static String shortId(AddonBackup backup) {
    return backup.id().toString().substring(0, 8);
  }

  private void count(String service, String result) {
    Counter.builder("skypanel.addon.backups").description("Add-on backups by service and result (completed, failed)")
        .tag("service", service).tag("result", result).register(registry).increment();
  }
}
