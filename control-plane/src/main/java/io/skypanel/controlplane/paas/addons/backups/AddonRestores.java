package io.skypanel.controlplane.paas.addons.backups;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.paas.addons.Addon;
import io.skypanel.controlplane.paas.addons.AddonPlanRepository;
import io.skypanel.controlplane.paas.addons.AddonRepository;
import io.skypanel.controlplane.paas.addons.AddonService;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.UUID;

/**
 * Restores of a completed backup, recorded as rows ({@code pending} → {@code running} → {@code completed} or
 * {@code failed} with the reason) readable at {@code /api/paas/addons/{addonId}/restores/{restoreId}} of the add-on
 * restored into. {@code same}: the backup's own add-on, {@code restoring} while its content is replaced, then
 * {@code available}. {@code new}: a new add-on of the same service and version in the backup's environment
 * (plan defaults to the backup's), restored into once it is available.
 */
final class AddonRestores {

  private static final Logger LOG = LoggerFactory.getLogger(AddonRestores.class);
  private static final long POLL_MS = 2000;

  private final Vertx vertx;
  private final Pool pool;
  private final AddonBackupService backupService;
  private final AddonService addonService;
  private final AddonBackupRunner runner;
  private final Duration provisionTimeout;
  private final AddonRepository addons = new AddonRepository();
  private final AddonPlanRepository plans = new AddonPlanRepository();
  private final AddonBackupRepository backups = new AddonBackupRepository();
  private final ActivityRepository activity = new ActivityRepository();

  AddonRestores(Vertx vertx, Pool pool, AddonBackupService backupService, AddonService addonService, AddonBackupRunner runner,
                Duration provisionTimeout) {
    this.vertx = vertx;
    this.pool = pool;
    this.backupService = backupService;
    this.addonService = addonService;
    this.runner = runner;
    this.provisionTimeout = provisionTimeout;
  }

  public Future<JsonObject> restore(Principal principal, OrgContext org, UUID addonId, UUID backupId, JsonObject body, String ip) {
    String target = body.getString("target", "same");
    if (!"same".equals(target) && !"new".equals(target)) {
      return Future.failedFuture(ApiException.validation("target must be same or new", null));
    }
    if ("same".equals(target) && (body.getValue("name") != null || body.getValue("plan") != null)) {
      return Future.failedFuture(ApiException.validation("name and plan apply to target new only", null));
    }
    return backupService.find(org, addonId, backupId).compose(backup -> {
      if (!"completed".equals(backup.status())) {
        return Future.failedFuture(ApiException.conflict("backup_not_completed", "only a completed backup can be restored; this one is "
            + backup.status()));
      }
      return ("same".equals(target) ? intoSame(principal, org, backup, ip) : intoNew(principal, org, backup, body, ip));
    });
  }

  public Future<JsonObject> get(OrgContext org, UUID addonId, UUID restoreId) {
    return backups.restoreById(pool, org.organizationId(), addonId, restoreId).compose(restore -> restore == null
        ? Future.failedFuture(ApiException.notFound("restore"))
        : Future.succeededFuture(restore.toJson()));
  }

  private Future<JsonObject> intoSame(Principal principal, OrgContext org, AddonBackup backup, String ip) {
    return backupService.addon(org, backup.addonId()).compose(addon -> {
      if (addon == null) {
        return Future.failedFuture(ApiException.conflict("addon_deleted", "the add-on is gone; restore into a new one (target new)"));
      }
      return pool.withTransaction(conn -> backups.markRestoring(conn, addon.id(), "restoring backup " + backup.id())
              .compose(marked -> marked
                  ? backups.insertRestore(conn, org.organizationId(), backup.id(), addon.id(), "same", principal.userId())
                      .compose(restore -> activity.insert(conn, restoreEntry(principal, org, restore, ip)).map(restore))
                  : Future.failedFuture(ApiException.conflict("addon_not_available", "the add-on is " + addon.status()
                      + "; a restore needs it available"))))
          .onSuccess(restore -> run(addon, backup, restore))
          .map(AddonRestore::toJson);
    });
  }

  private Future<JsonObject> intoNew(Principal principal, OrgContext org, AddonBackup backup, JsonObject body, String ip) {
    String planRef = body.getString("plan", backup.planId().toString());
    if (backup.environmentId() == null) {
      return Future.failedFuture(ApiException.conflict("environment_gone", "the backup's environment is gone"));
    }
    return plans.choosable(pool, planRef).compose(plan -> {
      if (plan == null || !backup.service().equals(plan.getString("service")) || !backup.version().equals(plan.getString("version"))) {
        return Future.failedFuture(ApiException.unprocessable("plan_mismatch", "the plan must be an active " + backup.service() + " "
            + backup.version() + " plan, like the backup"));
      }
      JsonObject create = new JsonObject().put("plan", plan.getString("id"));
      if (body.getString("name") != null) {
        create.put("name", body.getString("name"));
      }
      return addonService.create(principal, org, backup.environmentId(), create, ip)
          .compose(created -> pool.withTransaction(conn -> backups.insertRestore(conn, org.organizationId(), backup.id(),
                  UUID.fromString(created.getString("id")), "new", principal.userId())
              .compose(restore -> activity.insert(conn, restoreEntry(principal, org, restore, ip)).map(restore))))
          .onSuccess(restore -> awaitAvailable(restore.addonId(), System.currentTimeMillis() + provisionTimeout.toMillis())
              .compose(addon -> backups.markRestoring(pool, addon.id(), "restoring backup " + backup.id()).map(addon))
              .onSuccess(addon -> run(addon, backup, restore))
              .onFailure(err -> finish(restore, null, err)))
          .map(AddonRestore::toJson);
    });
  }

  private static ActivityEntry restoreEntry(Principal principal, OrgContext org, AddonRestore restore, String ip) {
    return AddonBackupService.activity(principal, org, "paas.addon.restore", restore.addonId(), new JsonObject()
        .put("restore_id", restore.id().toString()).put("backup_id", restore.backupId().toString()).put("target", restore.target()), ip);
  }

  /** Runs the restore, records its end and ends the add-on's {@code restoring}; never fails. */
  private void run(Addon addon, AddonBackup backup, AddonRestore restore) {
    backups.restoreRunning(pool, restore.id())
        .compose(v -> runner.restore(addon, backup, restore.id().toString()))
        .onComplete(done -> finish(restore, addon, done.failed() ? done.cause() : null));
  }

  private void finish(AddonRestore restore, Addon addon, Throwable failure) {
    if (failure != null) {
      LOG.warn("restore {} of backup {} into add-on {} failed: {}", restore.id(), restore.backupId(), restore.addonId(), failure.getMessage(), failure);
    }
    backups.restoreDone(pool, restore.id(), failure == null ? null : "the restore failed: " + failure.getMessage())
        .compose(v -> addon == null ? Future.succeededFuture() : backups.endRestoring(pool, addon.id()))
        .onFailure(err -> LOG.error("recording the end of restore {} failed", restore.id(), err));
  }

  private Future<Addon> awaitAvailable(UUID addonId, long deadline) {
    Promise<Addon> done = Promise.promise();
    poll(addonId, deadline, done);
    return done.future();
  }

  private void poll(UUID addonId, long deadline, Promise<Addon> done) {
    addons.byIdAnyOrganization(pool, addonId).onComplete(result -> {
      Addon addon = result.succeeded() ? result.result() : null;
      if (result.failed()) {
        done.fail(result.cause());
      } else if (addon == null || "failed".equals(addon.status()) || "deprovisioning".equals(addon.status())) {
        done.fail(new IllegalStateException("the new add-on did not become available"
            + (addon == null ? " (deleted)" : ": " + addon.status())));
      } else if ("available".equals(addon.status())) {
        done.complete(addon);
      } else if (System.currentTimeMillis() > deadline) {
        done.fail(new IllegalStateException("the new add-on did not become available in time"));
      } else {
        vertx.setTimer(POLL_MS, t -> poll(addonId, deadline, done));
      }
    });
  }
}
