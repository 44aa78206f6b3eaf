package io.skypanel.controlplane.paas.addons.backups;

import io.skypanel.controlplane.paas.addons.AddonRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The periodic pass ({@code SKYPANEL_BACKUP_SCHEDULE_INTERVAL_MS}) that is safe with several control planes on one
 * database: due add-ons (plan's {@code backup_schedule_hours}, 0 = none) are claimed with {@code FOR UPDATE SKIP
 * LOCKED} in the transaction that inserts their pending {@code scheduled} backups, so no two control planes take
 * the same one; expired backups (plan's {@code backup_retention_days}) are claimed the same way and deleted from
 * the store, then the table; backups and restores under way longer than the timeout (their control plane stopped)
 * are failed.
 */
final class BackupScheduler {

  private static final Logger LOG = LoggerFactory.getLogger(BackupScheduler.class);
  /** Scheduled backups one pass starts at most (each is a helper task on the engine). */
  private static final int BATCH = 4;
  private static final int EXPIRED_BATCH = 50;

  private final Vertx vertx;
  private final Pool pool;
  private final AddonBackupRunner runner;
  private final BackupStore store;
  private final WorkerExecutor workers;
  private final Duration timeout;
  private final Duration orphanSweep;
  /** System.nanoTime() of the last orphan sweep's start; none yet: the first pass sweeps. */
  private long lastOrphanSweep;
  private boolean swept;
  private final AddonBackupRepository backups = new AddonBackupRepository();
  private final AddonRepository addons = new AddonRepository();
  private final AtomicBoolean busy = new AtomicBoolean();
  private long timer = -1;

  BackupScheduler(Vertx vertx, Pool pool, AddonBackupRunner runner, BackupStore store, WorkerExecutor workers, Duration timeout,
                  Duration orphanSweep) {
    this.workers = workers;
    this.orphanSweep = orphanSweep;
    this.vertx = vertx;
    this.pool = pool;
    this.runner = runner;
    this.store = store;
    this.timeout = timeout;
  }

  void start(Duration interval) {
    timer = vertx.setPeriodic(interval.toMillis(), interval.toMillis(), t -> pass());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** One pass; an overlapping tick is skipped. Completes when the scheduled backups are started, not finished. */
  Future<Void> pass() {
    if (!busy.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return failStale()
        .compose(v -> startDue())
        .compose(v -> expire())
        .compose(v -> removeOrphans())
        .onFailure(err -> LOG.warn("the backup scheduler's pass failed: {}", err.getMessage(), err))
        .onComplete(done -> busy.set(false));
  }

  private Future<Void> failStale() {
    return backups.failStale(pool, timeout.toSeconds() + 60, "interrupted: the control plane running it stopped")
        .compose(addonIds -> Future.all(addonIds.stream().map(id -> backups.endRestoring(pool, id)).toList()))
        .mapEmpty();
  }

  private Future<Void> startDue() {
    return pool.withTransaction(conn -> backups.due(conn, BATCH).compose(ids -> {
          List<Future<AddonBackup>> inserted = new ArrayList<>();
          ids.forEach(id -> inserted.add(backups.insert(conn, id, "scheduled", null)));
          return Future.all(inserted).map(all -> all.<AddonBackup>list());
        }))
        .onSuccess(list -> list.forEach(backup -> addons.byIdAnyOrganization(pool, backup.addonId())
            .onSuccess(addon -> {
              if (addon != null) {
                runner.backup(addon, backup);
              }
            })
            .onFailure(err -> LOG.warn("starting scheduled backup {} failed: {}", backup.id(), err.getMessage(), err))))
        .mapEmpty();
  }

  private Future<Void> expire() {
    return pool.withTransaction(conn -> backups.expired(conn, EXPIRED_BATCH).compose(ids -> deleteFiles(ids)
        .compose(v -> Future.all(ids.stream().map(id -> backups.delete(conn, id)).toList()))))
        .mapEmpty();
  }

  /**
   * Dumps whose row is gone (its organization was deleted, and the rows with it): the store never keeps data the
   * platform no longer accounts for. A row exists before its dump is written, so a file without one is never a
   * backup under way.
   */
  private Future<Void> removeOrphans() {
    long now = System.nanoTime();
    if (swept && now - lastOrphanSweep < orphanSweep.toNanos()) {
      return Future.succeededFuture(); // listing the whole store is not for every pass (a LIST of every key on S3)
    }
    swept = true;
    lastOrphanSweep = now;
    return workers.executeBlocking(store::keys).compose(keys -> {
      List<UUID> ids = keys.stream().map(BackupScheduler::uuidOrNull).filter(java.util.Objects::nonNull).toList();
      if (ids.isEmpty()) {
        return Future.succeededFuture();
      }
      return backups.known(pool, ids).compose(known -> {
        List<UUID> orphans = ids.stream().filter(id -> !known.contains(id)).toList();
        if (!orphans.isEmpty()) {
          LOG.info("removing {} stored dump(s) without a backup row", orphans.size());
        }
        return deleteFiles(orphans);
      });
    });
  }

  private static UUID uuidOrNull(String key) {
    try {
      return UUID.fromString(key);
    } catch (IllegalArgumentException notOurs) {
      return null;
    }
  }

  /** The files first: a row without a file would offer a backup that cannot be restored. */
  private Future<Void> deleteFiles(List<UUID> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return workers.executeBlocking(() -> {
      for (UUID id : ids) {
        store.delete(id.toString());
      }
      return null;
    });
  }
}
