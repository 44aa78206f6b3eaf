package io.skypanel.controlplane.paas.addons;

import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.paas.addons.engines.AddonEngine;
import io.skypanel.controlplane.paas.addons.engines.ServerMetrics;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.runtime.orchestration.ServiceSpecFactory;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An add-on's figures: memory and CPU of its running task from the engine's stats (the sample containers' and
 * processes' metrics take), and its data size and client connections from the server itself, through the engine's
 * metrics query run as an exec in that task (it has the password mounted and reaches the server on 127.0.0.1). Both
 * run on the orchestrator's slow pool. An add-on without a running task answers 409 {@code addon_not_running}.
 */
final class AddonMetrics {

  private static final Logger LOG = LoggerFactory.getLogger(AddonMetrics.class);

  private final Pool pool;
  private final AddonService addons;
  private final AddonRuntime runtime;
  private final Orchestrator orchestrator;
  private final Duration timeout;

  AddonMetrics(Pool pool, AddonService addons, AddonRuntime runtime, Orchestrator orchestrator, Duration timeout) {
    this.pool = pool;
    this.addons = addons;
    this.runtime = runtime;
    this.orchestrator = orchestrator;
    this.timeout = timeout;
  }

  /** {@code {addon_id, task_id, memory_bytes, memory_limit_bytes, cpu_percent, size_bytes, connections, sampled_at}}. */
  Future<JsonObject> of(OrgContext org, UUID id) {
    return addons.find(pool, org, id).compose(addon -> {
      if (addon.serviceId() == null || !"available".equals(addon.status())) {
        return Future.failedFuture(notRunning(addon));
      }
      AddonEngine engine = runtime.engine(addon.service());
      String command = engine.metricsCommand(runtime.credentials(addon), ServiceSpecFactory.SECRETS_DIR + AddonRuntime.PASSWORD_FILE_NAME);
      Future<JsonObject> stats = orchestrator.stats(addon.serviceId());
      Future<Orchestrator.ExecResult> asked = orchestrator.exec(addon.serviceId(), List.of("/bin/sh", "-c", command), timeout);
      return Future.all(stats, asked).compose(both -> {
        JsonArray tasks = stats.result().getJsonArray("tasks", new JsonArray());
        Orchestrator.ExecResult result = asked.result();
        if (tasks.isEmpty() || result == null) {
          return Future.failedFuture(notRunning(addon));
        }
        return Future.succeededFuture(view(addon, tasks.getJsonObject(0), server(addon, engine, result)));
      });
    });
  }

  private static ServerMetrics server(Addon addon, AddonEngine engine, Orchestrator.ExecResult result) {
    if (result.exitCode() != 0) {
      // the server's own words, for the operator only; the failure handler does not log an ApiException
      LOG.warn("the metrics query of add-on {} exited {}: {}", addon.id(), result.exitCode(), result.stderr().strip());
      throw ApiException.unavailable("metrics_unavailable", "the add-on's server did not answer the metrics query");
    }
    try {
      return engine.parseMetrics(result.stdout());
    } catch (IllegalArgumentException e) {
      LOG.warn("the metrics of add-on {} could not be read: {}", addon.id(), e.getMessage());
      throw ApiException.unavailable("metrics_unavailable", "the add-on's server answered the metrics query with something unexpected");
    }
  }

  private static JsonObject view(Addon addon, JsonObject task, ServerMetrics server) {
    return new JsonObject()
        .put("addon_id", addon.id().toString())
        .put("task_id", task.getString("task_id"))
        .put("memory_bytes", task.getLong("memory_bytes"))
        .put("memory_limit_bytes", task.getLong("memory_limit_bytes"))
        .put("cpu_percent", task.getDouble("cpu_percent"))
        .put("size_bytes", server.sizeBytes())
        .put("connections", server.connections())
        .put("sampled_at", Instant.now().toString());
  }

  private static ApiException notRunning(Addon addon) {
    return ApiException.conflict("addon_not_running", "the add-on's server is not running (status " + addon.status() + ")");
  }
}
