package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.CpuStatsConfig;
import com.github.dockerjava.api.model.MemoryStatsConfig;
import com.github.dockerjava.api.model.StatisticNetworksConfig;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.api.model.StatsConfig;
import io.skypanel.common.docker.DockerEngine;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** CPU, memory and network figures of a service's running tasks on this engine, as {@code docker stats} shows them. */
final class SwarmStats {

  private static final Logger LOG = LoggerFactory.getLogger(SwarmStats.class);
  private static final long STATS_TIMEOUT_SECONDS = 15;

  private final DockerEngine engine;
  private final SwarmTasks tasks;

  SwarmStats(DockerEngine engine, SwarmTasks tasks) {
    this.engine = engine;
    this.tasks = tasks;
  }

  Future<JsonObject> stats(String serviceId) {
    return engine.call(docker -> tasks.runningHere(docker, serviceId))
        .compose(running -> {
          List<Future<JsonObject>> samples = new ArrayList<>();
          for (SwarmTasks.LocalTask task : running) {
            // a sample waits up to seconds for the engine: on the slow pool, never starving the reconciler's calls
            samples.add(engine.callSlow(docker -> sample(docker, task.taskId(), task.containerId())));
          }
          return Future.join(samples).transform(ignored -> {
            JsonArray list = new JsonArray();
            for (Future<JsonObject> sample : samples) {
              if (sample.succeeded() && sample.result() != null) {
                list.add(sample.result());
              } else if (sample.failed()) {
                LOG.debug("stats sample failed: {}", sample.cause().toString());
              }
            }
            return Future.succeededFuture(new JsonObject().put("service_id", serviceId).put("tasks", list));
          });
        });
  }

  /** One {@code docker stats --no-stream} sample (the engine includes the previous CPU reading); null when gone. */
  private static JsonObject sample(DockerClient docker, String taskId, String containerId) throws InterruptedException {
    StatsCallback callback = new StatsCallback();
    try {
      docker.statsCmd(containerId).withNoStream(true).exec(callback);
      if (!callback.awaitCompletion(STATS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        LOG.debug("no stats from container {} within {} s", containerId, STATS_TIMEOUT_SECONDS);
      }
    } catch (NotFoundException e) {
      return null;
    } finally {
      try {
        callback.close();
      } catch (IOException e) {
        LOG.debug("closing the stats stream failed", e);
      }
    }
    Statistics statistics = callback.statistics;
    if (statistics == null) {
      return null;
    }
    return statsJson(taskId, containerId, statistics);
  }

  static JsonObject statsJson(String taskId, String containerId, Statistics statistics) {
    long rx = 0;
    long tx = 0;
    Map<String, StatisticNetworksConfig> networks = statistics.getNetworks();
    if (networks != null) {
      for (StatisticNetworksConfig network : networks.values()) {
        rx += orZero(network.getRxBytes());
        tx += orZero(network.getTxBytes());
      }
    }
    MemoryStatsConfig memory = statistics.getMemoryStats();
    return new JsonObject()
        .put("task_id", taskId)
        .put("container_id", containerId)
        .put("cpu_percent", cpuPercent(statistics.getCpuStats(), statistics.getPreCpuStats()))
        .put("memory_bytes", memoryUsage(memory))
        .put("memory_limit_bytes", memory == null ? 0L : orZero(memory.getLimit()))
        .put("network_rx_bytes", rx)
        .put("network_tx_bytes", tx);
  }

  /** As {@code docker stats}: the container's share of the host's CPU time since the previous reading, x online CPUs. */
  static double cpuPercent(CpuStatsConfig cpu, CpuStatsConfig preCpu) {
    if (cpu == null || preCpu == null || cpu.getCpuUsage() == null || preCpu.getCpuUsage() == null) {
      return 0.0;
    }
    double cpuDelta = orZero(cpu.getCpuUsage().getTotalUsage()) - orZero(preCpu.getCpuUsage().getTotalUsage());
    double systemDelta = orZero(cpu.getSystemCpuUsage()) - orZero(preCpu.getSystemCpuUsage());
    long online = orZero(cpu.getOnlineCpus());
    if (online == 0 && cpu.getCpuUsage().getPercpuUsage() != null) {
      online = cpu.getCpuUsage().getPercpuUsage().size();
    }
    if (cpuDelta <= 0 || systemDelta <= 0 || online == 0) {
      return 0.0;
    }
    return Math.round(cpuDelta / systemDelta * online * 100.0 * 1000.0) / 1000.0;
  }

  /** As {@code docker stats}: usage without the page cache (cgroup v1 total_inactive_file, v2 inactive_file). */
  static long memoryUsage(MemoryStatsConfig memory) {
    if (memory == null) {
      return 0;
    }
    long usage = orZero(memory.getUsage());
    StatsConfig stats = memory.getStats();
    if (stats != null) {
      Long inactive = stats.getTotalInactiveFile() != null ? stats.getTotalInactiveFile() : stats.getInactiveFile();
      if (inactive != null && inactive < usage) {
        return usage - inactive;
      }
    }
    return usage;
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  /** Keeps the single sample of a non-streaming stats call. */
  private static final class StatsCallback extends ResultCallback.Adapter<Statistics> {
    private volatile Statistics statistics;

    @Override
    public void onNext(Statistics object) {
      if (statistics == null) {
        statistics = object;
      }
    }
  }
}
