package io.skypanel.controlplane.paas.releases;

import io.skypanel.controlplane.runtime.workloads.ContainerRepository;
import io.skypanel.controlplane.runtime.workloads.ContainerRow;
import io.skypanel.controlplane.runtime.workloads.ProcessRollbackHandler;
import io.skypanel.controlplane.runtime.orchestration.ServiceState;
import io.skypanel.controlplane.paas.environments.EnvironmentRepository;
import io.skypanel.controlplane.paas.environments.EnvironmentRow;
import io.skypanel.controlplane.paas.processes.ProcessRepository;
import io.skypanel.controlplane.paas.processes.ProcessRollout;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * What Swarm rolling back one process's update means for its environment. When the update was a release change (any
 * process type: a web process failing its health check, a worker whose task exits or never starts), the new release
 * is {@code failed} saying why, and the previous release goes live again for <em>every</em> process type, in one
 * transaction with the environment locked: processes that had already moved to the new release roll back too, so the
 * environment never runs two releases as its live one. A rollback of a restart or a resize leaves the release alone.
 */
public final class ReleaseRollback implements ProcessRollbackHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ReleaseRollback.class);
  private static final Set<String> ENDED_BADLY = Set.of("failed", "rejected");

  private final Pool pool;
  private final ProcessRollout rollout;
  private final Consumer<List<UUID>> converge;
  private final ReleaseRepository releases = new ReleaseRepository();
  private final EnvironmentRepository environments = new EnvironmentRepository();
  private final ProcessRepository processes = new ProcessRepository();
  private final ContainerRepository workloads = new ContainerRepository();

  /** @param converge asks the reconciler to converge these workloads now */
  public ReleaseRollback(Pool pool, ProcessRollout rollout, Consumer<List<UUID>> converge) {
    this.pool = pool;
    this.rollout = rollout;
    this.converge = converge;
  }

  @Override
  public Future<Void> rolledBack(ContainerRow row, ServiceState state) {
    UUID previousId = releaseChangedFrom(row);
    return pool.withTransaction(conn -> environments.byIdAnyOrganization(conn, row.process().environmentId())
            .compose(env -> (previousId == null ? Future.<Release>succeededFuture(null) : releases.byId(conn, previousId))
                .compose(previous -> releases.byId(conn, row.process().releaseId())
                    .compose(failed -> handle(conn, row, state, env, failed, previous)))))
        .onSuccess(converge::accept)
        .mapEmpty();
  }

  private Future<List<UUID>> handle(SqlConnection conn, ContainerRow row, ServiceState state, EnvironmentRow env, Release failed, Release previous) {
    String type = row.process().type();
    if (previous == null || failed == null) {
      // a restart or resize Swarm undid: the same release runs as before
      String message = "the " + type + " process did not stay up after its restart or resize and Swarm rolled it back"
          + detail(row, state);
      return adopt(conn, row, row.spec().imageRef(), row.process().releaseId(), message).map(List.<UUID>of());
    }
    String message = "the " + type + " process of v" + failed.version() + " " + why(row, state) + " and Swarm rolled back to v"
        + previous.version() + detail(row, state);
    boolean live = env != null && !"deleting".equals(env.status()) && failed.id().equals(env.currentReleaseId());
    Future<Void> recorded = adopt(conn, row, previous.imageRef(), previous.id(), message)
        .compose(v -> releases.fail(conn, failed.id(), message)).mapEmpty();
    if (!live || "failed".equals(previous.status())) {
      // the environment moved on (or is going away), or the way back is itself a failed release: nothing goes live
      return recorded.map(List.<UUID>of());
    }
    LOG.info("release v{} of environment {} failed ({}); v{} is live again", failed.version(), env.id(), message, previous.version());
    // every process type goes back, with the previous release's own config, which is the environment's again
    return recorded.compose(v -> environments.setConfig(conn, env, previous.envVarsSealed(), previous.envVarNames()))
        .compose(v -> rollout.goLive(conn, env, previous, row.region(), previous.createdBy()));
  }

  /** Marks this generation rolled back (handled once) with what runs again, and records it on the workload's timeline. */
  private Future<Void> adopt(SqlConnection conn, ContainerRow row, String image, UUID releaseId, String message) {
    JsonObject lastDeploy = new JsonObject().put("state", "rolled_back").put("generation", row.generation())
        .put("failed_image", row.spec().imageRef()).put("message", message);
    return processes.rolledBack(conn, row.id(), image, releaseId, lastDeploy)
        .compose(v -> workloads.event(conn, row.organizationId(), row.id(), "rollback", "swarm", message, new JsonObject(), null));
  }

  /**
   * The release the rolled-back update came from, or null when the update was no release change: the upsert that
   * changed the release stamps previous_spec with the spec version and restart generation it made; a later resize
   * bumps the one, a restart the other. (Whether that change had deployed cannot be read from last_deploy: the
   * reconciler may see the old task running before Swarm reports the update as started.)
   */
  static UUID releaseChangedFrom(ContainerRow row) {
    JsonObject previous = row.previousSpec();
    if (previous == null || previous.getString("release_id") == null || previous.getString("release_id").equals(String.valueOf(row.process().releaseId()))) {
      return null;
    }
    Integer changedAt = previous.getInteger("spec_version");
    Integer restartAt = previous.getInteger("restart_generation");
    if ((changedAt != null && changedAt != row.specVersion()) || (restartAt != null && restartAt != row.restartGeneration())) {
      return null;
    }
    return UUID.fromString(previous.getString("release_id"));
  }

  /** In words: a failed health check when the task was killed unhealthy (or a web check gated it), else it did not stay up. */
  private static String why(ContainerRow row, ServiceState state) {
    String error = failedTaskError(state);
    boolean unhealthy = error != null ? error.contains("unhealthy") : row.spec().healthcheck() != null;
    return unhealthy || (row.spec().healthcheck() != null && (error == null || !error.contains("exit")))
        ? "failed its health check" : "did not stay up (it exited or could not start)";
  }

  private static String detail(ContainerRow row, ServiceState state) {
    String error = failedTaskError(state);
    String update = state.updateMessage();
    // Swarm's "rollback completed" says nothing the sentence does not; its other messages name the failed task
    boolean telling = update != null && !update.isBlank() && !update.toLowerCase(java.util.Locale.ROOT).startsWith("rollback completed");
    return (error == null ? "" : " (" + error + ")") + (telling ? ": " + update : "");
  }

  /** The error of the newest task that ended badly: the new release's, since Swarm's rollback starts healthy old ones. */
  private static String failedTaskError(ServiceState state) {
    return state.tasks().stream().filter(t -> ENDED_BADLY.contains(t.state()) && t.error() != null)
        .map(ServiceState.Task::error).findFirst().orElse(null);
  }
}
