package io.skypanel.controlplane.runtime.workloads;

import io.skypanel.controlplane.caas.containers.ContainerSpec;
import io.skypanel.common.events.PlatformEvents;
import io.skypanel.common.events.Topics;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.runtime.orchestration.ServiceState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds PostgreSQL (what customers asked for) and Swarm (what runs) together. For one container it creates a
 * missing service (never a second one: it first looks for the service by label), re-applies a spec whose
 * generation Swarm has not seen, tears down deleted containers, and records what Swarm reports: replicas,
 * endpoints, digests, task failures and automatic rollbacks. Every action converges the container right
 * away; a periodic pass repairs whatever changed behind the platform's back (a removed service, a killed
 * task, an engine outage, a control-plane restart). Work on one container is serialised in this process and
 * across replicas by a short Redis lock; a pass that finds the lock held looks again shortly, since the holder may
 * have read the engine before the change that brought it here.
 */
public final class ContainerReconciler {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerReconciler.class);
  private static final long TEARDOWN_RECHECK_MS = 1000;
  private static final long WATCH_RETRY_MS = 5000;
  /** The cross-replica lock lives at most this long (its PX); a pass that found it held looks again until then. */
  private static final long LOCK_MILLIS = 60_000;

  private final Vertx vertx;
  private final Pool pool;
  private final RedisAPI redis;
  private final String lockPrefix;
  private final Orchestrator orchestrator;
  private final ContainerDeployer deployer;
  private final PlatformEvents events;
  private final ContainerRepository containers = new ContainerRepository();
  private final Map<UUID, Future<Void>> inFlight = new ConcurrentHashMap<>();
  private final LookAgain lookAgain;
  private final ReconcileFailures failures = new ReconcileFailures();
  private long timer = -1;
  private boolean sweeping;
  private volatile boolean stopped;
  private Orchestrator.EventWatch watch;
  private volatile ProcessRollbackHandler processRollbacks;

  public ContainerReconciler(Vertx vertx, Pool pool, RedisAPI redis, String redisPrefix, Orchestrator orchestrator, ContainerDeployer deployer,
                             PlatformEvents events) {
    this.vertx = vertx;
    this.events = events;
    this.pool = pool;
    this.redis = redis;
    this.lockPrefix = redisPrefix + "caas:reconcile:";
    this.orchestrator = orchestrator;
    this.deployer = deployer;
    this.lookAgain = new LookAgain(vertx, LOCK_MILLIS, this::converge);
  }

  /**
   * Starts the periodic sweep over every container and follows the engine's events, so a task that dies, is
   * killed or turns unhealthy is reconciled at once instead of at the next sweep.
   */
  public void start(long intervalMs) {
    Context context = vertx.getOrCreateContext();
    timer = vertx.setPeriodic(intervalMs, intervalMs, id -> sweep());
    watch(context);
  }

  /** Who decides what Swarm rolling back a PaaS process's update means (the PaaS, once it is wired). */
  public void onProcessRollback(ProcessRollbackHandler handler) {
    this.processRollbacks = handler;
  }

  public void stop() {
    stopped = true;
    lookAgain.stop();
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (watch != null) {
      watch.close();
    }
  }

  private void watch(Context context) {
    if (stopped) {
      return;
    }
    watch = orchestrator.watchContainers(containerId -> context.runOnContext(v -> converge(containerId)));
    // the engine ends the stream when it restarts; the sweep covers the gap until the watch is back
    watch.ended().onComplete(done -> context.runOnContext(v -> vertx.setTimer(WATCH_RETRY_MS, t -> watch(context))));
  }

  /** One pass over all containers, one at a time; a pass still running makes the next tick a no-op. */
  Future<Void> sweep() {
    if (sweeping) {
      return Future.succeededFuture();
    }
    sweeping = true;
    return containers.allIds(pool).compose(ids -> {
      Future<Void> chain = Future.succeededFuture();
      for (UUID id : ids) {
        // converge reported a failure already (once, see ReconcileFailures); the pass goes on with the next one
        chain = chain.compose(v -> converge(id).transform(reported -> Future.<Void>succeededFuture()));
      }
      return chain;
    }).andThen(done -> sweeping = false);
  }

  /** Brings one container to its stored state; runs after the previous pass for the same container finished. */
  public Future<Void> converge(UUID containerId) {
    // the previous pass only orders this one: its failure was reported when it completed
    Future<Void> next = inFlight.compute(containerId, (id, previous) ->
        (previous == null ? Future.<Void>succeededFuture() : previous.transform(reported -> Future.<Void>succeededFuture()))
            .compose(v -> locked(id)));
    next.onComplete(done -> {
      inFlight.remove(containerId, next);
      if (done.failed()) {
        // engine and spec failures are recorded on the container; this is the lock or the database failing
        failures.failed(containerId, done.cause());
      }
    });
    return next;
  }

  private Future<Void> locked(UUID containerId) {
    String key = lockPrefix + containerId;
    return redis.set(List.of(key, "1", "NX", "PX", Long.toString(LOCK_MILLIS))).compose(acquired -> {
      if (acquired == null) {
        lookAgain.whileLocked(containerId);
        return Future.succeededFuture();
      }
      lookAgain.gotLock(containerId);
      // the lock is released before the next pass for this container starts, or that pass would skip
      return containers.byIdAnyOrganization(pool, containerId)
          .compose(row -> row == null ? gone(containerId) : reconcile(row))
          .eventually(() -> redis.del(List.of(key)));
    });
  }

  private Future<Void> gone(UUID containerId) {
    failures.succeeded(containerId);
    return Future.succeededFuture();
  }

  private Future<Void> reconcile(ContainerRow row) {
    if ("deleting".equals(row.status())) {
      // a failed teardown propagates to converge, which reports it once; the row stays deleting and is retried
      return teardown(row).onSuccess(v -> failures.succeeded(row.id()));
    }
    Future<ServiceState> state = row.swarmServiceId() == null ? Future.succeededFuture() : orchestrator.inspect(row.swarmServiceId());
    return state.compose(current -> {
      if (current == null) {
        boolean repair = row.swarmServiceId() != null;
        return deployer.create(row)
            .compose(serviceId -> containers.applied(pool, row.id(), row.generation()))
            .compose(v -> repair ? event(row, "repair", "platform", "the Swarm service was missing; recreated it", null) : Future.succeededFuture())
            .compose(v -> observeAfterApply(row));
      }
      if (!row.generation().equals(row.appliedGeneration())) {
        return deployer.update(row)
            .compose(v -> containers.applied(pool, row.id(), row.generation()))
            .compose(v -> observeAfterApply(row));
      }
      return observe(row, current);
    }).onSuccess(v -> failures.succeeded(row.id())).recover(err -> failed(row, err));
  }

  private Future<Void> observeAfterApply(ContainerRow row) {
    return containers.byIdAnyOrganization(pool, row.id()).compose(fresh -> fresh == null || fresh.swarmServiceId() == null
        ? Future.succeededFuture()
        : orchestrator.inspect(fresh.swarmServiceId()).compose(state -> state == null ? Future.succeededFuture() : observe(fresh, state)));
  }

  /** Records what Swarm reports; adopts an automatic rollback so PostgreSQL says what really runs. */
  private Future<Void> observe(ContainerRow row, ServiceState state) {
    if ("rollback_completed".equals(state.updateState()) && row.process() != null && !rolledBackAlready(row)) {
      // what a process's rollback means for its release and environment is the PaaS's to decide
      ProcessRollbackHandler handler = processRollbacks;
      return (handler == null ? Future.<Void>succeededFuture() : handler.rolledBack(row, state))
          .compose(v -> containers.byIdAnyOrganization(pool, row.id()))
          .compose(fresh -> fresh == null ? Future.succeededFuture() : record(fresh, state));
    }
    if ("rollback_completed".equals(state.updateState()) && row.previousSpec() != null && !rolledBackAlready(row) && row.process() == null) {
      String message = "deploy of " + row.spec().imageRef() + " failed and Swarm rolled back to " + ContainerSpec.fromJson(row.previousSpec()).imageRef()
          + (state.updateMessage() == null ? "" : ": " + state.updateMessage());
      JsonObject lastDeploy = new JsonObject().put("state", "rolled_back").put("generation", row.generation())
          .put("failed_image", row.spec().imageRef()).put("message", message);
      return pool.withTransaction(conn -> containers.adoptRollback(conn, row.id(), ContainerSpec.fromJson(row.previousSpec()), lastDeploy)
              .compose(v -> containers.event(conn, row.organizationId(), row.id(), "rollback", "swarm", message, new JsonObject(), null)))
          .compose(v -> containers.byIdAnyOrganization(pool, row.id()))
          .compose(fresh -> record(fresh, state));
    }
    return record(row, state);
  }

  private static boolean rolledBackAlready(ContainerRow row) {
    return row.lastDeploy() != null && "rolled_back".equals(row.lastDeploy().getString("state"))
        && row.generation().equals(row.lastDeploy().getString("generation"));
  }

  private Future<Void> record(ContainerRow row, ServiceState state) {
    ObservedState observed = ObservedState.of(row, state);
    lookAgain.whileSettling(row.id(), observed.settling());
    Future<Void> failureEvent = observed.failedTask() == null ? Future.succeededFuture() : recordTaskFailure(row, observed.failedTask());
    boolean routesChanged = observed.routesChanged(row);
    return failureEvent.compose(v -> containers.observed(pool, row.id(), observed.status(), observed.reason(), observed.running().size(),
            observed.endpoints(), observed.digest(), observed.lastDeploy()))
        .andThen(done -> {
          if (done.succeeded() && routesChanged) {
            announceRoutes(row.id());
          }
        });
  }

  private Future<Void> recordTaskFailure(ContainerRow row, ServiceState.Task task) {
    String message = "task " + task.taskId() + " " + task.state() + ": " + (task.error() != null ? task.error() : task.message());
    return containers.lastEventMessage(pool, row.id(), "fail").compose(last -> message.equals(last)
        ? Future.succeededFuture()
        : event(row, "fail", "swarm", message, new JsonObject().put("task_id", task.taskId())));
  }

  /**
   * Removes the service, and only once its task containers are gone (they release volumes and secrets when
   * they are) the secrets and the row. Until then the container stays "deleting" and is looked at again shortly.
   */
  private Future<Void> teardown(ContainerRow row) {
    Future<String> serviceId = row.swarmServiceId() != null ? Future.succeededFuture(row.swarmServiceId()) : orchestrator.findServiceByContainer(row.id());
    return serviceId.compose(id -> id == null ? Future.succeededFuture() : orchestrator.removeService(id))
        .compose(v -> orchestrator.remainingTaskContainers(row.id()))
        .compose(remaining -> {
          if (remaining > 0) {
            vertx.setTimer(TEARDOWN_RECHECK_MS, t -> converge(row.id()));
            return Future.succeededFuture();
          }
          return containers.secrets(pool, row.id())
              .compose(deployer::removeSecrets)
              .compose(v -> containers.delete(pool, row.id()))
              .andThen(done -> announceRoutes(row.id()));
        });
  }

  /** Edge routers reload this container's routes; a lost message is repaired by their periodic resync. */
  private void announceRoutes(UUID containerId) {
    events.publish(Topics.ROUTES_CHANGED, new JsonObject().put("container_id", containerId.toString()))
        .onFailure(err -> LOG.debug("could not announce route change of {}: {}", containerId, err.getMessage()));
  }

  /**
   * An engine or spec failure: the container is failed with the reason and the failure logged once (not at every
   * sweep); the next sweep tries again. When even recording it fails, that failure propagates to {@link #converge}.
   */
  private Future<Void> failed(ContainerRow row, Throwable err) {
    String reason = ReconcileFailures.reason(err);
    return containers.lastEventMessage(pool, row.id(), "fail")
        .compose(last -> reason.equals(last) ? Future.succeededFuture() : event(row, "fail", "platform", reason, null))
        .compose(v -> containers.observed(pool, row.id(), "failed", reason, row.runningReplicas(), row.endpoints(), null, null))
        .onSuccess(v -> failures.failed(row.id(), err));
  }

  private Future<Void> event(ContainerRow row, String type, String source, String message, JsonObject metadata) {
    return containers.event(pool, row.organizationId(), row.id(), type, source, message, metadata, null);
  }
}
