package io.skypanel.controlplane.paas.releases;

import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.Labels;
import io.skypanel.controlplane.runtime.workloads.ContainerDeployer;
import io.skypanel.controlplane.runtime.workloads.ContainerRow;
import io.skypanel.controlplane.caas.containers.ContainerSpec;
import io.skypanel.controlplane.runtime.orchestration.DesiredService;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.runtime.orchestration.ServiceState;
import io.skypanel.controlplane.paas.environments.EnvironmentRepository;
import io.skypanel.controlplane.paas.processes.ProcessRollout;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a release's {@code release} command once before the release goes live (background code, never in a request):
 * a one-off Swarm service ({@code r-<release id>}, restart condition none) built by the same deployer and spec factory
 * as every workload (hardened, the organization's networks, the release's image and sealed config), watched until its
 * task ends; the outcome is written, then the service removed. A control plane that starts resumes the release phases
 * left pending ({@link #resume}). Exit 0 makes the release live unless a newer one already is; any other outcome marks it
 * failed with the exit code and the last output lines, and the live release stays.
 */
public final class ReleasePhase {

  private static final Logger LOG = LoggerFactory.getLogger(ReleasePhase.class);
  private static final Pattern EXIT = Pattern.compile("exit \\((\\d+)\\)");
  private static final Set<String> ENDED = Set.of("complete", "failed", "rejected", "shutdown", "orphaned", "remove");
  private static final long POLL_MS = 1000;
  private static final int OUTPUT_LINES = 20;
  /** How long a pending release may lack its task before a resuming control plane fails it. */
  private static final Duration MISSING_GRACE = Duration.ofSeconds(30);
  public static final String LABEL_RELEASE = Labels.RELEASE;

  private final Vertx vertx;
  private final Pool pool;
  private final Orchestrator orchestrator;
  private final ContainerDeployer deployer;
  private final ProcessRollout rollout;
  private final Consumer<List<UUID>> converge;
  private final TaskOutput output;
  private final Duration timeout;
  private final ReleaseRepository releases = new ReleaseRepository();
  private final EnvironmentRepository environments = new EnvironmentRepository();

  /**
   * @param converge asks the reconciler to converge these workloads now
   * @param timeout  how long a release command may run
   */
  public ReleasePhase(Vertx vertx, Pool pool, Orchestrator orchestrator, DockerEngine engine, ContainerDeployer deployer, ProcessRollout rollout,
                      Consumer<List<UUID>> converge, Duration timeout) {
    this.vertx = vertx;
    this.pool = pool;
    this.orchestrator = orchestrator;
    this.deployer = deployer;
    this.rollout = rollout;
    this.converge = converge;
    this.output = new TaskOutput(engine);
    this.timeout = timeout;
  }

  /** Starts the release phase of a pending release; the outcome is written to the release. */
  public void start(Release release) {
    run(release).onFailure(err -> LOG.warn("release phase of release {} could not run: {}", release.id(), err.getMessage()));
  }

  /** Resumes every pending release's phase (at start: a control plane that stopped left them pending). */
  public Future<Void> resumeAll() {
    return releases.pending(pool)
        .onSuccess(pending -> pending.forEach(this::resume))
        .onFailure(err -> LOG.warn("pending releases could not be listed to resume their release phase: {}", err.getMessage()))
        .mapEmpty();
  }

  /**
   * Picks up a release left pending by a control plane that stopped while its release phase ran. Its task may still
   * run (watched again, until the release's own deadline) or have ended meanwhile (its outcome is read as usual). A
   * missing task is never run again, since a release command (a migration) may have run already: the release fails
   * saying why, after a grace period that lets a deploy just committed by another control plane create it.
   */
  public Future<Void> resume(Release release) {
    String name = serviceName(release);
    return orchestrator.inspect(name).compose(state -> {
      if (state != null) {
        LOG.info("resuming the release phase of release v{} of environment {}", release.version(), release.environmentId());
        return watchAndFinish(release, state.serviceId(), deadlineOf(release));
      }
      long age = Duration.between(release.createdAt(), OffsetDateTime.now()).toMillis();
      if (age < MISSING_GRACE.toMillis()) {
        Promise<Void> later = Promise.promise();
        vertx.setTimer(MISSING_GRACE.toMillis() - age, id -> resume(release).onComplete(later));
        return later.future();
      }
      return finish(release, new Outcome(null, "the release phase was interrupted: its task " + name
          + " no longer exists (the control plane stopped before it could run, or it was removed); the command was not run again, deploy again", ""));
    }).onFailure(err -> LOG.warn("release phase of release {} could not be resumed: {}", release.id(), err.getMessage()));
  }

  private Future<Void> run(Release release) {
    return deployer.desired(oneOff(release))
        .map(desired -> {
          Map<String, String> labels = new LinkedHashMap<>(desired.labels());
          labels.remove(ContainerDeployer.LABEL_CONTAINER);
          labels.put(LABEL_RELEASE, release.id().toString());
          return new DesiredService(serviceName(release), labels, desired.image(), desired.entrypoint(), desired.cmd(), desired.env(),
              desired.secrets(), desired.volumes(), null, desired.cpu(), desired.memoryMb(), 1, "none", desired.stopGraceSeconds(),
              desired.tier(), desired.networkIds(), desired.registryLogin());
        })
        .compose(orchestrator::createService)
        .compose(serviceId -> watchAndFinish(release, serviceId, deadlineOf(release)), err -> finish(release,
            new Outcome(null, "the release task could not run: " + err.getMessage(), "")));
  }

  /**
   * Watches the task until it ends, writes the outcome, and only then removes the service: a control plane stopping in
   * between leaves a finished release, never a pending one whose task is gone.
   */
  private Future<Void> watchAndFinish(Release release, String serviceId, long deadline) {
    return watch(serviceId, deadline)
        .recover(err -> Future.succeededFuture(new Outcome(null, "the release task could not be watched: " + err.getMessage(), "")))
        .compose(outcome -> finish(release, outcome))
        .compose(v -> orchestrator.removeService(serviceId)
            // the outcome stands either way; a task service left behind is said once, with why
            .recover(err -> {
              LOG.warn("release task {} could not be removed: {}", serviceId, err.getMessage(), err);
              return Future.succeededFuture();
            }));
  }

  private static String serviceName(Release release) {
    return "r-" + release.id();
  }

  /** The release's own deadline (its creation plus the timeout), in System.nanoTime() terms, also after a restart. */
  private long deadlineOf(Release release) {
    long left = Duration.between(OffsetDateTime.now(), release.createdAt().plus(timeout)).toNanos();
    return System.nanoTime() + left;
  }

  /** The release command as a workload row the deployer can build a spec from (never stored). */
  private static ContainerRow oneOff(Release release) {
    ContainerSpec spec = new ContainerSpec(release.imageRef(), List.of("/bin/sh", "-c"), List.of(release.releaseCommand()), Map.of(),
        List.of(), List.of(), null, 0.5, 256, 1, "none");
    OffsetDateTime now = OffsetDateTime.now();
    return new ContainerRow(release.id(), release.organizationId(), Release.RELEASE_PHASE, spec, null, null, List.of(), 1, 0, null,
        "default", "pending", null, null, null, new JsonArray(), null, 1, 0, null, null, null, now, now,
        new ContainerRow.Process(release.environmentId(), Release.RELEASE_PHASE, release.id()));
  }

  /** What the task ended as: its exit code (null when it never ran), why, and its last output. */
  private record Outcome(Integer exitCode, String reason, String output) {
    boolean succeeded() {
      return exitCode != null && exitCode == 0;
    }
  }

  private Future<Outcome> watch(String serviceId, long deadline) {
    return orchestrator.inspect(serviceId).compose(state -> {
      if (state == null) {
        // removed by someone else: another control plane that finished it (then finishing is a no-op), or by hand
        return Future.succeededFuture(new Outcome(null, "the release task was removed before it ended", ""));
      }
      ServiceState.Task task = state == null ? null : state.tasks().stream().filter(t -> ENDED.contains(t.state())).findFirst().orElse(null);
      if (task != null) {
        return output.tail(task.containerId(), OUTPUT_LINES).map(text -> outcome(task, text));
      }
      if (System.nanoTime() - deadline > 0) {
        return Future.succeededFuture(new Outcome(null, "the release command did not finish within " + timeout.toSeconds() + " s", ""));
      }
      Promise<Void> tick = Promise.promise();
      vertx.setTimer(POLL_MS, id -> tick.complete());
      return tick.future().compose(v -> watch(serviceId, deadline));
    });
  }

  private static Outcome outcome(ServiceState.Task task, String text) {
    if ("complete".equals(task.state())) {
      return new Outcome(0, null, text);
    }
    String error = task.error() != null ? task.error() : task.message();
    Matcher exit = error == null ? null : EXIT.matcher(error);
    Integer code = exit != null && exit.find() ? Integer.valueOf(exit.group(1)) : null;
    String reason = code != null ? "the release command exited " + code : "the release task " + task.state() + ": " + error;
    return new Outcome(code, reason, text);
  }

  private Future<Void> finish(Release release, Outcome outcome) {
    JsonObject phase = new JsonObject().put("command", release.releaseCommand()).put("exit_code", outcome.exitCode()).put("output", outcome.output());
    String reason = outcome.succeeded() ? null
        : outcome.reason() + (outcome.output().isEmpty() ? "" : "; last output: " + lastLines(outcome.output(), 5));
    return pool.withTransaction(conn -> environments.byIdAnyOrganization(conn, release.environmentId()).compose(env -> {
      if (env == null || !outcome.succeeded()) {
        return releases.finish(conn, release.id(), "failed", env == null ? "the environment was deleted" : reason, phase).map(List.<UUID>of());
      }
      return releases.finish(conn, release.id(), "succeeded", null, phase).compose(finished -> {
        // a release that lost a race with a newer live one (a config change, a rollback) does not replace it
        boolean newest = env.currentVersion() == null || env.currentVersion() < release.version();
        return finished && newest ? rollout.goLive(conn, env, release, "default", release.createdBy()) : Future.succeededFuture(List.<UUID>of());
      });
    })).onSuccess(converge::accept)
        .onSuccess(ids -> LOG.info("release v{} of environment {}: release phase {}", release.version(), release.environmentId(),
            outcome.succeeded() ? "succeeded" : "failed (" + outcome.reason() + ")"))
        .mapEmpty();
  }

  private static String lastLines(String text, int count) {
    String[] lines = text.split("\n");
    return String.join(" | ", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - count), lines.length)).strip();
  }
}
