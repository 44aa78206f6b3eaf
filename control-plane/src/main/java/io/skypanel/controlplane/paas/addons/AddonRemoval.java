package io.skypanel.controlplane.paas.addons;

import io.skypanel.controlplane.paas.releases.ReleaseService;
import io.skypanel.controlplane.runtime.workloads.ReconcileFailures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finishes the removal of a {@code deprovisioning} add-on: the {@link AddonRemovalHook} first (while server and
 * data exist), then every attachment goes (each environment gets a release without it), then the service, its
 * volume once no task container holds it, its network and its secrets, and last the row. A failed step leaves the
 * add-on {@code deprovisioning}; the reconciler's next sweep starts again where things stand.
 */
final class AddonRemoval {

  private final Vertx vertx;
  private final Pool pool;
  private final AddonRuntime runtime;
  private final AddonReleases releases;
  private final AddonRemovalHook hook;
  private final ReconcileFailures failures;
  private final AddonSettings settings;
  private final AddonRepository addons = new AddonRepository();
  private final Set<UUID> running = ConcurrentHashMap.newKeySet();
  /** What the caller asked; after a restart the hook reads it from {@code paas_addons.skip_final_backup} (V19). */
  private final Map<UUID, Boolean> skipFinalBackup = new ConcurrentHashMap<>();

  AddonRemoval(Vertx vertx, Pool pool, AddonRuntime runtime, AddonReleases releases, AddonRemovalHook hook, ReconcileFailures failures,
               AddonSettings settings) {
    this.vertx = vertx;
    this.pool = pool;
    this.runtime = runtime;
    this.releases = releases;
    this.hook = hook;
    this.failures = failures;
    this.settings = settings;
  }

  void start(Addon addon, boolean skipBackup) {
    skipFinalBackup.put(addon.id(), skipBackup);
    resume(addon);
  }

  /** Runs the removal unless one is already under way for this add-on. */
  void resume(Addon addon) {
    if (!running.add(addon.id())) {
      return;
    }
    hook.beforeRemoval(addon, skipFinalBackup.getOrDefault(addon.id(), false))
        .compose(v -> detachAll(addon))
        .compose(v -> runtime.removeService(addon))
        .compose(v -> retrying(() -> runtime.removeVolumeAndNetwork(addon), System.currentTimeMillis() + settings.volumeWait().toMillis()))
        .compose(v -> runtime.removeSecrets(addon, List.of()))
        .compose(v -> addons.delete(pool, addon.id()))
        .onComplete(done -> {
          running.remove(addon.id());
          if (done.succeeded()) {
            skipFinalBackup.remove(addon.id());
            failures.succeeded(addon.id());
          } else {
            failures.failed(addon.id(), done.cause());
          }
        });
  }

  private Future<Void> detachAll(Addon addon) {
    List<ReleaseService.Cut> cuts = new ArrayList<>();
    return pool.withTransaction(conn -> addons.lock(conn, addon.id())
            .compose(v -> addons.environments(conn, addon.id()))
            .compose(envs -> Future.all(envs.stream().map(env -> addons.detach(conn, addon.id(), env)).toList())
                .compose(x -> releases.cut(conn, addon.organizationId(), envs, "Detach add-on " + addon.name() + " (removed)", null)))
            .map(list -> cuts.addAll(list)))
        .onSuccess(v -> releases.afterCommit(cuts))
        .mapEmpty();
  }

  /** The task containers of a removed service linger for their stop grace period and keep the volume busy. */
  private Future<Void> retrying(java.util.function.Supplier<Future<Void>> step, long deadline) {
    Promise<Void> done = Promise.promise();
    attempt(step, deadline, done);
    return done.future();
  }

  private void attempt(java.util.function.Supplier<Future<Void>> step, long deadline, Promise<Void> done) {
    step.get().onComplete(result -> {
      if (result.succeeded()) {
        done.complete();
      } else if (System.currentTimeMillis() > deadline) {
        done.fail(result.cause());
      } else {
        vertx.setTimer(settings.removalRetry().toMillis(), t -> attempt(step, deadline, done));
      }
    });
  }
}
