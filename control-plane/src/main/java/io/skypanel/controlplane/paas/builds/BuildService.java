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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The build service behind {@link SourceBuilds}: records a queued build (with an activity row), runs it in the
 * background through {@link BuildQueue} and {@link BuildRunner}, shows builds and their logs (live while they run
 * here, stored afterwards) and cancels them. Builds a stopped control plane left queued or building are failed at
 * {@link #start()} with the reason, never left hanging.
 */
public final class BuildService implements SourceBuilds {

  private static final Logger LOG = LoggerFactory.getLogger(BuildService.class);
  static final String RESTARTED = "the control plane stopped while this build was queued or running; push or upload again";

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

  /** Fails what a stopped control plane left unfinished and makes the work directory. */
  public Future<Void> start() {
    return builds.failUnfinished(pool, RESTARTED)
        .onSuccess(count -> {
          if (count > 0) {
            LOG.warn("{} builds left unfinished by a stopped control plane were failed", count);
          }
        })
        .compose(count -> workers.executeBlocking(() -> Files.createDirectories(workDir), false))
        .mapEmpty();
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
              source.ref(), source.commit(), principal.userId(), source.options())
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
                workDir.resolve(row.id().toString()));
            active.put(build.id, build);
            queue.offer(new BuildQueue.Entry(build.id, org.organizationId(), () -> runner.run(build).onComplete(done -> {
              active.remove(build.id);
              queue.finished(build.organizationId());
              // the end goes out once the final status and log are recorded, so a viewer told "end" finds them stored
              stream.end(done.result().getString("status"));
              build.ended.complete(done.result());
            })));
            return new QueuedBuild(row.toJson(), build.ended.future());
          });
    });
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
      boolean waiting = queue.remove(id);
      String log = running == null ? null : running.log.text() + "-----> Build cancelled\n";
      return pool.withTransaction(conn -> builds.finish(conn, id, "cancelled", "cancelled by " + principal.email(), null, log)
              .compose(done -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.build.cancel", "app",
                  build.appId().toString(), new JsonObject().put("build_id", id.toString()), ip))))
          .onSuccess(v -> {
            if (running != null) {
              running.cancelled = true;
              if (running.builder != null) {
                running.builder.cancel(id);
              }
              if (waiting) {
                // never got a slot: nothing will run it, so it ends here, and its source goes
                active.remove(id);
                running.log.end();
                publisher.open(id).end("cancelled");
                workers.executeBlocking(() -> Files.deleteIfExists(running.source.tarball()), false)
                    .onFailure(err -> LOG.warn("build {}: removing its source failed: {}", id, err.getMessage()));
                builds.byId(pool, org.organizationId(), id).onComplete(row -> running.ended.complete(row.succeeded() && row.result() != null
                    ? row.result().toJson() : build.toJson()));
              }
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
