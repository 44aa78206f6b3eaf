package io.skypanel.controlplane.paas.releases;

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
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Runs a release's {@code release} command once before the release goes live (background code, never in a request):
 * a one-off task ({@link OneOffTasks}, service {@code r-<release id>}) watched until it ends, then removed. Exit 0 makes the release live unless a newer one already is; any other outcome marks it
 * failed with the exit code and the last output lines, and the live release stays.
 */
public final class ReleasePhase {

  private static final Logger LOG = LoggerFactory.getLogger(ReleasePhase.class);
  private static final long POLL_MS = 1000;
  private static final int OUTPUT_LINES = 20;
  private static final int OUTPUT_CHARS = 2000;
  public static final String LABEL_RELEASE = "skypanel.release";

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

  private Future<Void> run(Release release) {
    OneOffTasks.Task task = new OneOffTasks.Task(release.id(), release.organizationId(), release.environmentId(), release.id(),
        Release.RELEASE_PHASE, release.imageRef(), List.of("/bin/sh", "-c"), List.of(release.releaseCommand()), 0.5, 256);
    return tasks.start(task, "r-" + release.id(), LABEL_RELEASE)
        .compose(serviceId -> watch(serviceId, System.nanoTime() + timeout.toNanos())
            .compose(outcome -> tasks.remove(serviceId)
                .onFailure(err -> LOG.warn("could not remove the release task {} of release {}: {}", serviceId, release.id(), err.getMessage()))
                .otherwiseEmpty().map(outcome)))
        .recover(err -> Future.succeededFuture(new Outcome(null, "the release task could not run: " + err.getMessage(), "")))
        .compose(outcome -> finish(release, outcome));
  }

  private Future<Outcome> watch(String serviceId, long deadline) {
    return tasks.probe(serviceId).compose(probe -> {
      if (probe.ended() != null) {
        return tasks.outcome(probe.ended(), "the release command", OUTPUT_LINES, OUTPUT_CHARS);
      }
      if (probe.gone()) {
        return Future.succeededFuture(new Outcome(null, "the release task's service disappeared", ""));
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
