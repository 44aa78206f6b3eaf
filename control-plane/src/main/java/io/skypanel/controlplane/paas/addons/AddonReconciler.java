package io.skypanel.controlplane.paas.addons;

import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.runtime.orchestration.ServiceState;
import io.skypanel.controlplane.runtime.workloads.ReconcileFailures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Owns the add-ons' runtime on the containers' reconcile schedule: a service removed out of band is re-created on the
 * same volume with the same credentials (Swarm itself restarts a killed task), and the status says what Swarm says:
 * {@code available} only while a task runs (Swarm starts it only once its health check passed), {@code provisioning}
 * while none does, {@code failed} with Swarm's reason when a new add-on never came up within the provisioning time.
 * Removals left unfinished are resumed. A failure is logged once per add-on and reason.
 */
final class AddonReconciler {

  private static final Logger LOG = LoggerFactory.getLogger(AddonReconciler.class);

  private final Vertx vertx;
  private final Pool pool;
  private final Orchestrator orchestrator;
  private final AddonRuntime runtime;
  private final AddonRemoval removal;
  private final ReconcileFailures failures;
  private final Duration provisionTimeout;
  private final AddonRepository addons = new AddonRepository();
  private final Set<UUID> busy = ConcurrentHashMap.newKeySet();
  private long timer = -1;

  AddonReconciler(Vertx vertx, Pool pool, Orchestrator orchestrator, AddonRuntime runtime, AddonRemoval removal, ReconcileFailures failures,
                  Duration provisionTimeout) {
    this.vertx = vertx;
    this.pool = pool;
    this.orchestrator = orchestrator;
    this.runtime = runtime;
    this.removal = removal;
    this.failures = failures;
    this.provisionTimeout = provisionTimeout;
  }

  void start(long intervalMs) {
    timer = vertx.setPeriodic(intervalMs, intervalMs, t -> sweep());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** One pass over every add-on. */
  Future<Void> sweep() {
    return addons.all(pool)
        .compose(all -> {
          List<Future<Void>> each = new ArrayList<>();
          for (Addon addon : all) {
            each.add(converge(addon));
          }
          // converge never fails: each add-on's failure is recorded by itself
          return Future.join(each).<Void>mapEmpty();
        })
        .onFailure(err -> LOG.warn("the add-on sweep could not read the add-ons: {}", err.getMessage(), err));
  }

  /** Brings one add-on to its desired state; failures are recorded once, never thrown. */
  Future<Void> converge(Addon addon) {
    if ("deprovisioning".equals(addon.status())) {
      removal.resume(addon);
      return Future.succeededFuture();
    }
    if (!busy.add(addon.id())) {
      return Future.succeededFuture();
    }
    return orchestrator.inspect(addon.serviceName())
        .compose(state -> state != null ? Future.succeededFuture(state) : recreate(addon))
        .compose(state -> status(addon, state))
        .compose(v -> addon.credentialsVersion() > 1 ? runtime.removeSecrets(addon, keep(addon)) : Future.succeededFuture())
        .onSuccess(v -> failures.succeeded(addon.id()))
        .onFailure(err -> failures.failed(addon.id(), err))
        .onComplete(done -> busy.remove(addon.id()))
        // recorded (and logged once) above; the next sweep tries again
        .recover(err -> Future.succeededFuture());
  }

  private Future<ServiceState> recreate(Addon addon) {
    if (addon.serviceId() != null) {
      LOG.info("the service of add-on {} is gone; re-creating it on its volume", addon.id());
    }
    return runtime.ensure(addon)
        .compose(ids -> addons.setRuntime(pool, addon.id(), ids.serviceId(), ids.networkId(), ids.passwordSecretId(), ids.urlSecretId())
            .compose(v -> orchestrator.inspect(ids.serviceId())));
  }

  private Future<Void> status(Addon addon, ServiceState state) {
    boolean running = state != null && state.tasks().stream().anyMatch(t -> "running".equals(t.state()));
    if (running) {
      return "available".equals(addon.status()) && addon.statusReason() == null ? Future.succeededFuture()
          : addons.setStatus(pool, addon.id(), "available", null);
    }
    ServiceState.Task latest = state == null || state.tasks().isEmpty() ? null : state.tasks().get(0);
    String why = latest == null ? "no task yet" : latest.state() + (latest.error() != null ? ": " + latest.error()
        : latest.message() != null ? ": " + latest.message() : "");
    boolean overdue = addon.createdAt().isBefore(OffsetDateTime.now().minus(provisionTimeout));
    if ("provisioning".equals(addon.status()) && overdue) {
      return addons.setStatus(pool, addon.id(), "failed", "the server did not become healthy: " + why);
    }
    if ("available".equals(addon.status())) {
      return addons.setStatus(pool, addon.id(), "provisioning", "the server is restarting: " + why);
    }
    return Future.succeededFuture();
  }

  private static List<String> keep(Addon addon) {
    List<String> keep = new ArrayList<>();
    if (addon.passwordSecretId() != null) {
      keep.add(addon.passwordSecretId());
    }
    if (addon.urlSecretId() != null) {
      keep.add(addon.urlSecretId());
    }
    return keep;
  }
}
