package io.skypanel.controlplane.paas.releases;

import io.skypanel.common.docker.Labels;
import io.skypanel.controlplane.paas.environments.EnvironmentRepository;
import io.skypanel.controlplane.paas.processes.ProcessRollout;
import io.skypanel.controlplane.paas.tasks.OneOffTasks;
import io.skypanel.controlplane.paas.tasks.OneOffTasks.Outcome;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Runs a release's {@code release} command once before the release goes live (background code, never in a request):
 * a one-off task ({@link OneOffTasks}, service {@code r-<release id>}: hardened, the organization's networks, the
 * release's image and sealed config) watched until it ends; the outcome is written, then the service removed. A control
 * plane that starts resumes the release phases left pending ({@link #resume}). Exit 0 makes the release live unless a
 * newer one already is; any other outcome marks it
 * failed with the exit code and the last output lines, and the live release stays.
 */
public final class ReleasePhase {

  private static final Logger LOG = LoggerFactory.getLogger(ReleasePhase.class);
  private static final long POLL_MS = 1000;
  private static final int OUTPUT_LINES = 20;
  private static final int OUTPUT_CHARS = 2000;
  /** How long a pending release may lack its task before a resuming control plane fails it. */
  private static final Duration MISSING_GRACE = Duration.ofSeconds(30);
  public static final String LABEL_RELEASE = Labels.RELEASE;

  private final Vertx vertx;
  private final Pool pool;
  private final OneOffTasks tasks;
  private final ProcessRollout rollout;
  private final Consumer<List<UUID>> converge;
  private final Duration timeout;
  private final ReleaseRepository releases = new ReleaseRepository();
  private final EnvironmentRepository environments = new EnvironmentRepository();

  /**
   * @param converge asks the reconciler to converge these workloads now
   * @param timeout  how long a release command may run
   */
  public ReleasePhase(Vertx vertx, Pool pool, OneOffTasks tasks, ProcessRollout rollout, Consumer<List<UUID>> converge, Duration timeout) {
    this.vertx = vertx;
    this.pool = pool;
    this.tasks = tasks;
    this.rollout = rollout;
    this.converge = converge;
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
    return tasks.find(name).compose(serviceId -> {
      if (serviceId != null) {
        LOG.info("resuming the release phase of release v{} of environment {}", release.version(), release.environmentId());
        return watchAndFinish(release, serviceId, deadlineOf(release));
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
    OneOffTasks.Task task = new OneOffTasks.Task(release.id(), release.organizationId(), release.environmentId(), release.id(),
        Release.RELEASE_PHASE, release.imageRef(), List.of("/bin/sh", "-c"), List.of(release.releaseCommand()), 0.5, 256);
    return tasks.start(task, serviceName(release), LABEL_RELEASE)
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
        .compose(v -> tasks.remove(serviceId)
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

  private Future<Outcome> watch(String serviceId, long deadline) {
    return tasks.probe(serviceId).compose(probe -> {
      if (probe.ended() != null) {
        return tasks.outcome(probe.ended(), "the release command", OUTPUT_LINES, OUTPUT_CHARS);
      }
      if (probe.gone()) {
        // removed by someone else: another control plane that finished it (then finishing is a no-op), or by hand
        return Future.succeededFuture(new Outcome(null, "the release task was removed before it ended", ""));
      }
      if (System.nanoTime() - deadline > 0) {
        return Future.succeededFuture(new Outcome(null, "the release command did not finish within " + timeout.toSeconds() + " s", ""));
      }
      Promise<Void> tick = Promise.promise();
      vertx.setTimer(POLL_MS, id -> tick.complete());
      return tick.future().compose(v -> watch(serviceId, deadline));
    });
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
