package io.skypanel.controlplane.paas.runs;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.paas.environments.EnvironmentService;
import io.skypanel.controlplane.paas.processes.ProcessRepository;
import io.skypanel.controlplane.paas.processes.ProcessRollout;
import io.skypanel.controlplane.paas.releases.Release;
import io.skypanel.controlplane.paas.releases.ReleaseRepository;
import io.skypanel.controlplane.paas.tasks.OneOffTasks;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;

/**
 * One-off runs of an environment (Heroku's {@code heroku run}). Creating one checks the command, the size (a plan of the
 * catalog, like the formation's) and the quotas, records the run and an activity row in one transaction, and then
 * starts its task on the environment's live release ({@link OneOffTasks}): the command itself, or for an attached run a
 * keeper the exec proxy runs the command next to (see {@link RunKeeper}). {@link RunSupervisor} follows it to its end.
 */
public final class RunService {

  private static final Logger LOG = LoggerFactory.getLogger(RunService.class);
  private static final int MAX_TIMEOUT_S = 86_400;
  private static final int MAX_COMMAND = 10_000;

  private final Pool pool;
  private final EnvironmentService environments;
  private final ProcessRollout rollout;
  private final QuotaService quotas;
  private final OneOffTasks tasks;
  private final int defaultTimeoutSeconds;
  private final RunRepository runs = new RunRepository();
  private final ReleaseRepository releases = new ReleaseRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public RunService(Pool pool, EnvironmentService environments, ProcessRollout rollout, QuotaService quotas, OneOffTasks tasks,
                    int defaultTimeoutSeconds) {
    this.pool = pool;
    this.environments = environments;
    this.rollout = rollout;
    this.quotas = quotas;
    this.tasks = tasks;
    this.defaultTimeoutSeconds = defaultTimeoutSeconds;
  }

  /** 201 with the run, its task created (status starting); 409 when the environment has no live release. */
  public Future<JsonObject> create(Principal principal, OrgContext org, UUID environmentId, JsonObject body, String ip) {
    String command = body.getString("command");
    int timeout = body.getInteger("timeout_s", defaultTimeoutSeconds);
    boolean attach = body.getBoolean("attach", false);
    if (command == null || command.isBlank() || command.length() > MAX_COMMAND) {
      return Future.failedFuture(ApiException.validation("command must be a non-empty string of at most " + MAX_COMMAND + " characters", null));
    }
    if (timeout < 1 || timeout > MAX_TIMEOUT_S) {
      return Future.failedFuture(ApiException.validation("timeout_s must be between 1 and " + MAX_TIMEOUT_S, null));
    }
    Started[] started = new Started[1];
    return pool.withTransaction(conn -> environments.find(conn, org, environmentId, false).compose(env -> {
          if (env.currentReleaseId() == null) {
            return Future.failedFuture(ApiException.conflict("no_live_release", "the environment has no live release yet: deploy first"));
          }
          String slug = body.getString("size", rollout.formationOf(env, "run").getString("size"));
          return rollout.size(conn, slug)
              .compose(size -> quotas.checkContainerSize(conn, org.organizationId(), null, size.cpu(), size.memoryMb(), 1).map(size))
              .compose(size -> releases.byId(conn, env.currentReleaseId()).compose(release -> runs.insert(conn, org.organizationId(), env.id(),
                      release.id(), command, attach, size.planId(), timeout, principal.userId())
                  .map(id -> started[0] = new Started(id, release, size))))
              .compose(run -> audit(conn, principal, org, "paas.run.create", run.id(), new JsonObject().put("environment_id", env.id().toString())
                  .put("attach", attach).put("size", slug).put("timeout_s", timeout), ip));
        }))
        .compose(v -> start(org, started[0], command, attach, timeout))
        .compose(id -> get(org, id));
  }

  private record Started(UUID id, Release release, ProcessRepository.Size size) {
  }

  /** Creates the run's task after the run is committed; a task that cannot be created fails the run, saying why. */
  private Future<UUID> start(OrgContext org, Started run, String command, boolean attach, int timeout) {
    OneOffTasks.Task task = new OneOffTasks.Task(run.id(), org.organizationId(), run.release().environmentId(), run.release().id(), "run",
        run.release().imageRef(), List.of("/bin/sh", "-c"), List.of(attach ? RunKeeper.script(timeout) : command), run.size().cpu(),
        run.size().memoryMb());
    return tasks.start(task, Run.serviceName(run.id()), Run.LABEL)
        .compose(serviceId -> runs.starting(pool, run.id(), serviceId))
        .map(run.id())
        .recover(err -> {
          LOG.warn("the task of run {} could not be started: {}", run.id(), err.getMessage());
          return runs.finish(pool, run.id(), "failed", null, null, "the run's task could not be started: " + err.getMessage())
              .compose(x -> Future.failedFuture(err));
        });
  }

  public Future<JsonObject> list(OrgContext org, UUID environmentId, Cursor cursor, int limit) {
    return environments.find(pool, org, environmentId, false).compose(env -> runs.page(pool, org.organizationId(), env.id(),
            cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1)
        .map(page -> Pages.of(page.stream().map(Run::toJson).toList(), limit)));
  }

  public Future<JsonObject> get(OrgContext org, UUID id) {
    return find(org, id).map(Run::toJson);
  }

  /** Stops an active run (cancelled) and removes its service; an ended run is returned as it is. */
  public Future<JsonObject> cancel(Principal principal, OrgContext org, UUID id, String ip) {
    return pool.withTransaction(conn -> runs.byId(conn, org.organizationId(), id).compose(run -> run == null
            ? Future.failedFuture(ApiException.notFound("run"))
            : runs.cancel(conn, org.organizationId(), id, "stopped by a user")
                .compose(ended -> !ended.ended() ? Future.succeededFuture(ended)
                    : audit(conn, principal, org, "paas.run.cancel", id, new JsonObject().put("environment_id", run.environmentId().toString()), ip)
                        .map(ended))))
        .compose(ended -> ended.serviceId() == null ? Future.succeededFuture()
            // the supervisor removes what is left of a cancelled run's service should this fail
            : tasks.remove(ended.serviceId()).recover(err -> {
              LOG.warn("could not remove the service of cancelled run {} yet: {}", id, err.getMessage());
              return Future.succeededFuture();
            }))
        .compose(v -> get(org, id));
  }

  private Future<Run> find(OrgContext org, UUID id) {
    return runs.byId(pool, org.organizationId(), id).compose(run -> run == null
        ? Future.failedFuture(ApiException.notFound("run"))
        : Future.succeededFuture(run));
  }

  private Future<Void> audit(SqlConnection conn, Principal principal, OrgContext org, String action, UUID runId, JsonObject details, String ip) {
    return activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), action, "run", runId.toString(), details, ip));
  }
}
