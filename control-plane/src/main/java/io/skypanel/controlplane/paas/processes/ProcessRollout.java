package io.skypanel.controlplane.paas.processes;

import io.skypanel.controlplane.runtime.workloads.WorkloadRejected;
import io.skypanel.common.errors.DomainException;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.paas.environments.EnvironmentRepository;
import io.skypanel.controlplane.paas.environments.EnvironmentRow;
import io.skypanel.controlplane.paas.releases.Release;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Makes a release the live one of its environment, inside the caller's transaction: every process type of the
 * release becomes (or updates) its workload row with the release's image, command and config, at the scale and size
 * of the environment's formation; types the release no longer has are torn down. The reconciler then rolls each
 * workload start-first. Only {@code web} gets a port (the environment's, also given as {@code PORT}), a TCP health
 * check that gates the rollout, and the environment's default hostname.
 */
public final class ProcessRollout {

  public static final String WEB = "web";

  private final QuotaService quotas;
  private final String defaultSize;
  private final ProcessRepository processes = new ProcessRepository();
  private final EnvironmentRepository environments = new EnvironmentRepository();

  public ProcessRollout(QuotaService quotas, String defaultSize) {
    this.quotas = quotas;
    this.defaultSize = defaultSize;
  }

  /** The formation entry of a type: the stored one, else web 1 and every other type 0, at the default size. */
  public JsonObject formationOf(EnvironmentRow env, String type) {
    JsonObject stored = env.formation().getJsonObject(type, new JsonObject());
    return new JsonObject().put("quantity", stored.getInteger("quantity", WEB.equals(type) ? 1 : 0))
        .put("size", stored.getString("size", defaultSize));
  }

  /** The catalog size of that slug; 422 when the catalog has no such active plan. */
  public Future<ProcessRepository.Size> size(SqlConnection conn, String slug) {
    return processes.size(conn, slug).compose(size -> size == null
        ? Future.failedFuture(new WorkloadRejected("unknown_size", "there is no active plan named '" + slug + "' to size a process with"))
        : Future.succeededFuture(size));
  }

  /** The workloads to converge (updated and retired). */
  public Future<List<UUID>> goLive(SqlConnection conn, EnvironmentRow env, Release release, String region, UUID userId) {
    List<UUID> touched = new ArrayList<>();
    JsonObject formation = new JsonObject();
    Future<Void> chain = Future.succeededFuture();
    for (String type : release.runningTypes()) {
      JsonObject entry = formationOf(env, type);
      formation.put(type, entry);
      String command = release.processTypes().getString(type);
      boolean web = WEB.equals(type);
      chain = chain.compose(v -> size(conn, entry.getString("size")))
          .compose(size -> quotas.checkContainerSize(conn, env.organizationId(), null, size.cpu(), size.memoryMb(), entry.getInteger("quantity"))
              .compose(ok -> processes.upsert(conn, env.organizationId(), env.id(), type, release.imageRef(),
                  command == null ? null : List.of("/bin/sh", "-c"), command == null ? null : List.of(command),
                  web ? new JsonArray().add(new JsonObject().put("container_port", release.port()).put("protocol", "tcp").put("public", true))
                      : new JsonArray(),
                  web ? new JsonObject().put("type", "tcp").put("port", release.port()).put("interval_s", 2).put("timeout_s", 2)
                      .put("retries", 3).put("start_period_s", 2) : null,
                  size, entry.getInteger("quantity"), region, web ? env.defaultDomain() : null, release.id(), userId)))
          .compose(id -> id == null
              ? Future.failedFuture(new DomainException(DomainException.Kind.CONFLICT, "process_deleting", "the " + type + " process is still being removed; try again shortly"))
              : Future.succeededFuture(touched.add(id)).mapEmpty());
    }
    return chain
        .compose(v -> processes.retireOthers(conn, env.organizationId(), env.id(), release.runningTypes()))
        .compose(retired -> {
          touched.addAll(retired);
          return environments.setLive(conn, env, release.id(), release.imageRef(), release.port());
        })
        .compose(v -> environments.setFormation(conn, env, env.formation().copy().mergeIn(formation)))
        .map(v -> touched);
  }
}
