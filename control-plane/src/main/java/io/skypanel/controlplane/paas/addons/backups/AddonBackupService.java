package io.skypanel.controlplane.paas.addons.backups;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.paas.addons.Addon;
import io.skypanel.controlplane.paas.addons.AddonRepository;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.sqlclient.Pool;

import java.util.Set;
import java.util.UUID;

/**
 * Backups of an add-on through the API: taking one (202, {@code pending} → {@code running} → {@code completed} or
 * {@code failed}), reading them (also after the add-on was deleted), and downloading a completed one's dump.
 * Restores are {@link AddonRestores}.
 */
public final class AddonBackupService {

  /** A server restarting after a resize or a failover is {@code provisioning}; a dump then fails and says so. */
  private static final Set<String> BACKUP_STATUSES = Set.of("available", "provisioning");

  private final Pool pool;
  private final AddonBackupRunner runner;
  private final BackupStore store;
  private final AddonRepository addons = new AddonRepository();
  private final AddonBackupRepository backups = new AddonBackupRepository();
  private final ActivityRepository activity = new ActivityRepository();

  AddonBackupService(Pool pool, AddonBackupRunner runner, BackupStore store) {
    this.pool = pool;
    this.runner = runner;
    this.store = store;
  }

  /** A download: its file name, size, and the paused stream of the compressed dump. */
  public record Download(String fileName, long size, ReadStream<Buffer> content) {
  }

  public Future<JsonObject> create(Principal principal, OrgContext org, UUID addonId, String ip) {
    return addons.byId(pool, org.organizationId(), addonId).compose(addon -> {
      if (addon == null) {
        return Future.failedFuture(ApiException.notFound("add-on"));
      }
      if (!BACKUP_STATUSES.contains(addon.status())) {
        return Future.failedFuture(ApiException.conflict("addon_not_available", "the add-on is " + addon.status() + "; it cannot be backed up now"));
      }
      return pool.withTransaction(conn -> backups.insert(conn, addon.id(), "manual", principal.userId())
              .compose(backup -> activity.insert(conn, activity(principal, org, "paas.addon.backup", addon.id(),
                  new JsonObject().put("backup_id", backup.id().toString()), ip)).map(backup)))
          .map(backup -> {
            // runs on after the answer; the row tells how it ended
            runner.backup(addon, backup);
            return backup.toJson();
          });
    });
  }

  public Future<JsonObject> list(OrgContext org, UUID addonId) {
    return visible(org, addonId).compose(v -> backups.byAddon(pool, org.organizationId(), addonId))
        .map(list -> new JsonObject().put("data", new JsonArray(list.stream().map(AddonBackup::toJson).toList())));
  }

  public Future<JsonObject> get(OrgContext org, UUID addonId, UUID backupId) {
    return find(org, addonId, backupId).map(AddonBackup::toJson);
  }

  public Future<Download> download(OrgContext org, UUID addonId, UUID backupId) {
    return find(org, addonId, backupId).compose(backup -> {
      if (!"completed".equals(backup.status())) {
        return Future.failedFuture(ApiException.conflict("backup_not_completed", "the backup is " + backup.status()));
      }
      return store.read(backup.storeKey()).map(stream -> new Download(backup.fileName(), backup.sizeBytes(), stream));
    });
  }

  /** The backup, whether its add-on still exists or not; 404 for another organization's. */
  Future<AddonBackup> find(OrgContext org, UUID addonId, UUID backupId) {
    return backups.byId(pool, org.organizationId(), addonId, backupId).compose(backup -> backup == null
        ? Future.failedFuture(ApiException.notFound("backup"))
        : Future.succeededFuture(backup));
  }

  /** The add-on exists in the organization, or did and left backups. */
  private Future<Void> visible(OrgContext org, UUID addonId) {
    return addons.byId(pool, org.organizationId(), addonId).compose(addon -> addon != null ? Future.succeededFuture(true)
            : backups.anyOf(pool, org.organizationId(), addonId))
        .compose(found -> found ? Future.succeededFuture() : Future.failedFuture(ApiException.notFound("add-on")));
  }

  static ActivityEntry activity(Principal principal, OrgContext org, String action, UUID addonId, JsonObject details, String ip) {
    return new ActivityEntry(org.organizationId(), principal.userId(), action, "addon", addonId.toString(), details, ip);
  }

  /** For the restores: the live add-on of the organization, or null. */
  Future<Addon> addon(OrgContext org, UUID addonId) {
    return addons.byId(pool, org.organizationId(), addonId);
  }
}
