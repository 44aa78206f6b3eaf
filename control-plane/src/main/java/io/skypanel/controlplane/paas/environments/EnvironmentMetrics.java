package io.skypanel.controlplane.paas.environments;

import io.skypanel.controlplane.runtime.workloads.ContainerRow;
import io.skypanel.controlplane.runtime.workloads.WorkloadMetrics;
import io.skypanel.controlplane.paas.processes.ProcessRepository;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * An environment's metrics per process type: each process workload's {@link WorkloadMetrics}, the same figures a
 * container's metrics endpoint gives (CPU and memory of its running tasks; edge requests and bytes, which only the
 * routed web process has).
 */
public final class EnvironmentMetrics {

  private final Pool pool;
  private final EnvironmentService environments;
  private final WorkloadMetrics metrics;
  private final ProcessRepository processes = new ProcessRepository();

  public EnvironmentMetrics(Pool pool, EnvironmentService environments, WorkloadMetrics metrics) {
    this.pool = pool;
    this.environments = environments;
    this.metrics = metrics;
  }

  /** {@code {"environment_id", "processes": [{"type", "quantity", "tasks": [...], "edge": {...}}]}}; 404 for a foreign id. */
  public Future<JsonObject> of(OrgContext org, UUID environmentId) {
    return environments.find(pool, org, environmentId, false)
        .compose(env -> processes.byEnvironment(pool, env.organizationId(), env.id()))
        .compose(rows -> {
          List<Future<JsonObject>> each = new ArrayList<>();
          for (ContainerRow row : rows) {
            each.add(metrics.of(row).map(figures -> new JsonObject().put("type", row.process().type()).put("quantity", row.desiredReplicas())
                .put("tasks", figures.getJsonArray("tasks")).put("edge", figures.getJsonObject("edge"))));
          }
          return Future.all(each).map(all -> new JsonObject().put("environment_id", environmentId.toString())
              .put("processes", new JsonArray(all.<JsonObject>list())));
        });
  }
}
