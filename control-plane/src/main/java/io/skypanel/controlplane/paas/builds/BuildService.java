package io.skypanel.controlplane.paas.builds;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.buildlogs.BuildLogPublisher;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.paas.apps.AppRepository;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The build service behind {@link SourceBuilds}: records a queued build leased to this control plane (with an
 * activity row), runs it when the durable {@link BuildQueue} claims it through {@link BuildRunner}, shows builds and
 * their logs (live while they run here, stored afterwards) and cancels them. Builds whose worker stopped are failed
 * by the queue's lease sweeper with the reason, never left hanging or run twice.
 */
public final class BuildService implements SourceBuilds {

  private static final Logger LOG = LoggerFactory.getLogger(BuildService.class);

  private final Pool pool;
  private final WorkerExecutor workers;
  private final BuildQueue queue;
  private final BuildRunner runner;
  private final Path workDir;
  private final int logBytes;
  private final String defaultPlan;
  private final boolean registryConfigured;
  private final BuildLogPublisher publisher;
  private final Map<UUID, ActiveBuild> active = new ConcurrentHashMap<>();
  private final BuildRepository builds = new BuildRepository();
  private final AppRepository apps = new AppRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public BuildService(Pool pool, WorkerExecutor workers, BuildQueue queue, BuildRunner runner, Path workDir, int logBytes,
                      String defaultPlan, boolean registryConfigured, BuildLogPublisher publisher) {
    this.pool = pool;
    this.workers = workers;
    this.queue = queue;
    this.runner = runner;
    this.workDir = workDir;
    this.logBytes = logBytes;
    this.defaultPlan = defaultPlan;
    this.registryConfigured = registryConfigured;
    this.publisher = publisher;
  }

  /** Makes the work directory, then starts the queue (which first fails what dead workers left unfinished). */
  public Future<Void> start() {
    return workers.executeBlocking(() -> Files.createDirectories(workDir), false)
        .compose(dir -> queue.start(this::runClaimed, this::held));
  }

  public void stop() {
    queue.stop();
  }

  /** Where an upload writes a source tarball before it is submitted. */
  public Path incoming() {
    return workDir.resolve("incoming-" + UUID.randomUUID() + ".tar.gz");
  }

  @Override
  public Future<Handle> submit(Principal principal, OrgContext org, UUID appId, UUID environmentId, BuildSource source, BuildLog listener) {
    if (!registryConfigured) {
      return Future.failedFuture(ApiException.unprocessable("builds_unavailable",
          "source builds need the platform registry, which is not configured (SKYPANEL_REGISTRY)"));
    }
    return builds.target(pool, org.organizationId(), appId, environmentId, defaultPlan).compose(target -> {
      if (target == null) {
        return Future.failedFuture(ApiException.notFound(environmentId == null ? "app" : "environment"));
      }
      return pool.withTransaction(conn -> builds.insert(conn, org.organizationId(), appId, target.environmentId(), source.origin().label(),
              source.ref(), source.commit(), principal.userId(), queue.workerId(), queue.lease(), source.options())
          .compose(id -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.build.create", "app",
              appId.toString(), new JsonObject().put("build_id", id.toString()).put("origin", source.origin().label()), null)).map(id))
          .compose(id -> builds.byId(conn, org.organizationId(), id))).map(row -> {
            // every line also goes to the build's Redis stream, which log-tail serves to live viewers
            BuildLogPublisher.Writer stream = publisher.open(row.id());
            BuildLog lines = line -> {
              listener.line(line);
              stream.line(line);
            };
            ActiveBuild build = new ActiveBuild(row.id(), principal, org, appId, target, source, new LiveLog(logBytes, lines),
                workDir.resolve(row.id().toString()), stream);
            active.put(build.id, build);
            queue.wake();
            return new QueuedBuild(row.toJson(), build.ended.future());
          });
    });
  }

  /** The queue claimed one of this control plane's builds: run it, unless a cancel or the sweeper ended it first. */
  private Future<Void> runClaimed(BuildRepository.Claim claim) {
    ActiveBuild build = active.get(claim.buildId());
    if (build == null) {
      // leased here but unknown: only possible if its worker id were reused, which a fresh id per start prevents
      return builds.finishOwned(pool, claim.buildId(), queue.workerId(), "failed", "the build's source is not on this control plane",
          null, null).mapEmpty();
    }
    if (!build.taken.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return runner.run(build, queue.workerId()).map(result -> {
      active.remove(build.id);
      // the end goes out once the final status and log are recorded, so a viewer told "end" finds them stored
      build.stream.end(result.getString("status"));
      build.ended.complete(result);
      return null;
    });
  }

  /**
   * After a heartbeat: a build accepted here that this worker no longer holds was ended elsewhere (cancelled on
   * another control plane, or swept when the lease ran out): stop it here too.
   */
  private void held(Set<UUID> held, long sinceNanos) {
    for (ActiveBuild build : active.values()) {
      if (build.acceptedAt < sinceNanos && !held.contains(build.id)) {
        builds.byId(pool, build.organizationId(), build.id).onComplete(row -> {
          if (row.failed()) {
            LOG.warn("build {}: reading it after a lost lease failed: {}", build.id, row.cause().getMessage());
          } else if (row.result() == null || row.result().ended()) {
            abandon(build, row.result() == null ? "failed" : row.result().status());
          }
        });
      }
    }
  }

  /** Stops a build that ended without this worker: a queued one ends here, a running one is told to stop. */
  private void abandon(ActiveBuild build, String status) {
    build.cancelled = true;
    if (build.taken.compareAndSet(false, true)) {
      // never started here: nothing will run it, so it ends now, and its source goes
      active.remove(build.id);
      build.log.end();
      build.stream.end(status);
      workers.executeBlocking(() -> Files.deleteIfExists(build.source.tarball()), false)
          .onFailure(err -> LOG.warn("build {}: removing its source failed: {}", build.id, err.getMessage()));
      builds.byId(pool, build.organizationId(), build.id).onComplete(row -> build.ended.complete(row.succeeded() && row.result() != null
          ? row.result().toJson() : new JsonObject().put("id", build.id.toString()).put("status", status)));
    } else if (build.builder != null) {
      build.builder.cancel(build.id);
    }
  }

  private record QueuedBuild(JsonObject build, Future<JsonObject> ended) implements Handle {
  }

  public Future<JsonObject> list(OrgContext org, UUID appId, Cursor cursor, int limit) {
    return apps.byId(pool, org.organizationId(), appId).compose(app -> app == null
        ? Future.failedFuture(ApiException.notFound("app"))
        : builds.page(pool, org.organizationId(), appId, cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(),
            limit + 1).map(page -> Pages.of(page.stream().map(Build::toJson).toList(), limit)));
  }

  /** The build with the tail of its log ({@code log_tail}, the last lines). */
  public Future<JsonObject> get(OrgContext org, UUID id) {
    return build(org, id).compose(build -> logText(org, build).map(log -> build.toJson().put("log_tail", tail(log, 50))));
  }

  /** The build's whole kept log. */
  public Future<String> log(OrgContext org, UUID id) {
    return build(org, id).compose(build -> logText(org, build));
  }

  /** The live log of a build running here, or null when it has ended (its stored log is then final). */
  public Future<LiveLog> live(OrgContext org, UUID id) {
    return build(org, id).map(build -> {
      ActiveBuild running = active.get(build.id());
      return running == null ? null : running.log;
    });
  }

  /** Cancels a queued or running build; 409 once it has ended. */
  public Future<JsonObject> cancel(Principal principal, OrgContext org, UUID id, String ip) {
    return build(org, id).compose(build -> {
      if (build.ended()) {
        return Future.failedFuture(ApiException.conflict("build_ended", "the build has already " + build.status()));
      }
      ActiveBuild running = active.get(id);
      String log = running == null ? null : running.log.text() + "-----> Build cancelled\n";
      return pool.withTransaction(conn -> builds.finish(conn, id, "cancelled", "cancelled by " + principal.email(), null, log)
              .compose(done -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.build.cancel", "app",
                  build.appId().toString(), new JsonObject().put("build_id", id.toString()), ip))))
          // a build running on another control plane stops there when its heartbeat finds it no longer held
          .onSuccess(v -> {
            if (running != null) {
              abandon(running, "cancelled");
            }
          })
          .compose(v -> builds.byId(pool, org.organizationId(), id)).map(Build::toJson);
    });
  }

  /**
   * Once an app is deleted: after its builds still running here have ended (their builder containers hold the cache
   * volume), removes their leftovers: work directories, the per-app build cache, and {@code sourceDirs} (the app's
   * git repository). Failures are logged here.
   */
  public Future<Void> appDeleted(UUID organizationId, UUID appId, List<Path> sourceDirs) {
    List<Future<JsonObject>> running = active.values().stream().filter(build -> build.appId.equals(appId))
        .map(build -> build.ended.future()).toList();
    return Future.join(running).transform(ended -> builds.idsOfApp(pool, organizationId, appId))
        .compose(ids -> runner.appDeleted(appId, ids.stream().map(id -> workDir.resolve(id.toString())).toList(), sourceDirs))
        .onSuccess(v -> LOG.info("app {}: build cache and build leftovers removed", appId))
        .onFailure(err -> LOG.warn("app {}: removing its build cache or build leftovers failed", appId, err));
  }

  private Future<Build> build(OrgContext org, UUID id) {
    return builds.byId(pool, org.organizationId(), id).compose(build -> build == null
        ? Future.failedFuture(ApiException.notFound("build"))
        : Future.succeededFuture(build));
  }

  private Future<String> logText(OrgContext org, Build build) {
    ActiveBuild running = active.get(build.id());
    if (running != null) {
      return Future.succeededFuture(running.log.text());
    }
    return builds.log(pool, org.organizationId(), build.id()).map(log -> log == null ? "" : log);
  }

  private static String tail(String log, int lines) {
    String[] all = log.split("\n");
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
  }
}
