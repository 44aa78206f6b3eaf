package io.skypanel.controlplane.paas.runs;

import io.skypanel.controlplane.runtime.workloads.ContainerDeployer;
import io.skypanel.controlplane.paas.tasks.OneOffTasks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Follows every run that has not ended, from PostgreSQL, so nothing depends on the control plane that started it
 * (a restart, another replica): a running task marks its run running; an ended task ends it (exit code and the last
 * output); a run past its deadline is killed as {@code timeout}; a run whose service disappeared fails; a run whose
 * task was never created (the control plane stopped in between) fails. Then every service labelled as a run whose
 * run has ended or is gone (a DELETE, a deleted environment, an exec-proxy session that ended an interactive run) is
 * removed. Each change is conditional on the run being active, so replicas and the exec proxy may race safely.
 */
public final class RunSupervisor {

  private static final Logger LOG = LoggerFactory.getLogger(RunSupervisor.class);
  private static final int OUTPUT_LINES = 5000;
  private static final long NEVER_STARTED_S = 120;

  private final Vertx vertx;
  private final Pool pool;
  private final OneOffTasks tasks;
  private final int outputChars;
  private final RunRepository runs = new RunRepository();
  private long timer = -1;
  private boolean sweeping;
  private String lastFailure;

  /** @param outputChars how much of a run's output is kept (its end) */
  public RunSupervisor(Vertx vertx, Pool pool, OneOffTasks tasks, int outputChars) {
    this.vertx = vertx;
    this.pool = pool;
    this.tasks = tasks;
    this.outputChars = outputChars;
  }

  public void start(long intervalMs) {
    timer = vertx.setPeriodic(intervalMs, id -> {
      // a slow engine must not pile sweeps on top of each other
      if (!sweeping) {
        sweeping = true;
        sweep().onComplete(done -> sweeping = false);
      }
    });
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  Future<Void> sweep() {
    return runs.active(pool)
        .compose(active -> Future.join(active.stream().map(this::check).toList()))
        .compose(v -> removeOrphans())
        .<Void>mapEmpty()
        .onSuccess(v -> lastFailure = null)
        .onFailure(err -> {
          // logged once per distinct cause, not every sweep
          if (!String.valueOf(err.getMessage()).equals(lastFailure)) {
            lastFailure = String.valueOf(err.getMessage());
            LOG.warn("supervising one-off runs failed: {}", err.getMessage(), err);
          }
        });
  }

  private Future<Void> check(Run run) {
    if (run.serviceId() == null) {
      boolean abandoned = run.createdAt().isBefore(OffsetDateTime.now().minusSeconds(NEVER_STARTED_S));
      return abandoned ? end(run, "failed", null, null, "the run's task was never started (the control plane stopped); run it again")
          : Future.succeededFuture();
    }
    if (OffsetDateTime.now().isAfter(run.deadline())) {
      return tasks.current(run.serviceId())
          .compose(task -> run.attached() ? Future.succeededFuture((String) null) : tasks.outputSoFar(task, OUTPUT_LINES, outputChars))
          .compose(output -> end(run, "timeout", null, output, "the run did not finish within " + run.timeoutSeconds() + " s"));
    }
    return tasks.probe(run.serviceId()).compose(probe -> {
      if (probe.gone()) {
        return end(run, "failed", null, null, "the run's service disappeared");
      }
      if (probe.ended() != null && run.attached()) {
        return end(run, "failed", null, null, "the run's task stopped before its console session ended");
      }
      if (probe.ended() != null) {
        return tasks.outcome(probe.ended(), "the command", OUTPUT_LINES, outputChars)
            .compose(outcome -> end(run, outcome.succeeded() ? "succeeded" : "failed", outcome.exitCode(), outcome.output(), outcome.reason()));
      }
      return probe.running() ? runs.running(pool, run.id()) : Future.succeededFuture();
    });
  }

  /** Ends the run (unless someone else already did) and removes its service. */
  private Future<Void> end(Run run, String status, Integer exitCode, String output, String reason) {
    return runs.finish(pool, run.id(), status, exitCode, output, reason).compose(ended -> {
      if (ended) {
        LOG.info("run {} of environment {} ended: {}{}", run.id(), run.environmentId(), status, reason == null ? "" : " (" + reason + ")");
      }
      return run.serviceId() == null ? Future.succeededFuture() : tasks.remove(run.serviceId());
    });
  }

  private Future<Void> removeOrphans() {
    return tasks.labelled(Run.LABEL).compose(services -> {
      Map<UUID, String> serviceOfRun = new HashMap<>();
      List<UUID> runIds = new ArrayList<>();
      List<UUID> organizationIds = new ArrayList<>();
      services.forEach((serviceId, labels) -> {
        UUID run = uuidOrNull(labels.get(Run.LABEL));
        UUID organization = uuidOrNull(labels.get(ContainerDeployer.LABEL_ORG));
        if (run != null && organization != null) {
          serviceOfRun.put(run, serviceId);
          runIds.add(run);
          organizationIds.add(organization);
        }
      });
      if (runIds.isEmpty()) {
        return Future.succeededFuture();
      }
      return runs.endedOrGone(pool, runIds, organizationIds).compose(ended ->
          Future.all(ended.stream().map(run -> tasks.remove(serviceOfRun.get(run))).toList()).mapEmpty());
    });
  }

  private static UUID uuidOrNull(String value) {
    try {
      return value == null ? null : UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
