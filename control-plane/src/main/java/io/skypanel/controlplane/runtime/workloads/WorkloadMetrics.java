package io.skypanel.controlplane.runtime.workloads;

import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.List;

/**
 * The metrics of one workload, a container or a PaaS process: CPU, memory and network of its running tasks (one
 * {@code docker stats} sample each, taken on the orchestrator's worker pool) and the edge's request figures of the
 * last {@link #EDGE_HOURS} hours. Containers' and environments' metrics endpoints both answer with it.
 */
public final class WorkloadMetrics {

  /** How far back the edge figures go: a day of hourly rows. */
  public static final int EDGE_HOURS = 24;

  private final Pool pool;
  private final Orchestrator orchestrator;
  private final EdgeUsageRepository usage = new EdgeUsageRepository();

  public WorkloadMetrics(Pool pool, Orchestrator orchestrator) {
    this.pool = pool;
    this.orchestrator = orchestrator;
  }

  /** {@code {"tasks": [...], "edge": {"window_hours", "requests", "ingress_bytes", "egress_bytes", "hours": [...]}}}. */
  public Future<JsonObject> of(ContainerRow row) {
    Future<JsonObject> stats = row.swarmServiceId() == null
        ? Future.succeededFuture(new JsonObject().put("tasks", new JsonArray()))
        : orchestrator.stats(row.swarmServiceId());
    Future<List<JsonObject>> hours = usage.hourly(pool, row.organizationId(), row.id(), EDGE_HOURS);
    return Future.all(stats, hours).map(both -> stats.result().copy().put("edge", edge(hours.result())));
  }

  static JsonObject edge(List<JsonObject> hours) {
    long requests = 0;
    long ingress = 0;
    long egress = 0;
    for (JsonObject hour : hours) {
      requests += hour.getLong("requests");
      ingress += hour.getLong("ingress_bytes");
      egress += hour.getLong("egress_bytes");
    }
    return new JsonObject().put("window_hours", EDGE_HOURS).put("requests", requests).put("ingress_bytes", ingress).put("egress_bytes", egress)
        .put("hours", new JsonArray(hours));
  }
}
