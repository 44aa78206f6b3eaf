package io.skypanel.controlplane.paas.addons;

import io.skypanel.common.docker.Labels;
import io.skypanel.controlplane.runtime.orchestration.DesiredService;
import io.skypanel.controlplane.runtime.orchestration.DesiredService.SecretMount;
import io.skypanel.controlplane.runtime.orchestration.DesiredService.TierSpec;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.runtime.orchestration.ServiceState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A throwaway task of an add-on's own image on the add-on's network (credential rotation; backups may reuse it):
 * one replica, restart condition none, hardened like the add-on and limited to its plan's CPU and memory (a dump or a
 * restore is the add-on's own work; at least {@link #MIN_CPU} and {@link #MIN_MEMORY_MB}), removed once it ended. Succeeds only when the
 * task completed with exit 0. Backups copy their dump out of, and restores into, its container (see the long form of run).
 */
public final class AddonHelperTask {

  /** A helper works for its add-on and runs within its plan's CPU and memory, but never with less than these. */
  static final double MIN_CPU = 0.5;
  static final int MIN_MEMORY_MB = 256;
  private static final Set<String> ENDED = Set.of("complete", "failed", "rejected", "shutdown", "orphaned", "remove");

  private final Vertx vertx;
  private final Orchestrator orchestrator;
  private final Duration poll;

  public AddonHelperTask(Vertx vertx, Orchestrator orchestrator, Duration poll) {
    this.vertx = vertx;
    this.orchestrator = orchestrator;
    this.poll = poll;
  }

  /**
   * Runs {@code command} with {@code /bin/sh -c}; fails with the task's error when it did not complete.
   *
   * @param what the helper's kind, part of its service name and label (e.g. {@code rotate})
   */
  public Future<Void> run(Addon addon, String image, String networkId, List<SecretMount> secrets, String what, String command, Duration timeout) {
    return run(addon, image, networkId, secrets, what, command, timeout, null, null);
  }

  /**
   * Like {@link #run(Addon, String, String, List, String, String, Duration)}, with two optional steps on the task's
   * container (through the engine API, so they work on a remote engine): {@code whileRunning} once the container
   * runs (e.g. copying a dump in that the command waits for), {@code afterCompleted} once it exited 0 and before it
   * is removed (e.g. copying the dump it wrote out); the latter's result is the helper's.
   *
   * @param whileRunning   the running container's id to a step, or null
   * @param afterCompleted the exited container's id to a step, or null
   */
  public <T> Future<T> run(Addon addon, String image, String networkId, List<SecretMount> secrets, String what, String command, Duration timeout,
                           Function<String, Future<Void>> whileRunning, Function<String, Future<T>> afterCompleted) {
    Map<String, String> labels = new LinkedHashMap<>(AddonRuntime.labels(addon));
    labels.remove(Labels.UPDATE_ORDER);
    labels.remove(Labels.ENDPOINT_MODE);
    labels.put(Labels.HELPER, what);
    long deadline = System.nanoTime() + timeout.toNanos();
    // a helper whose container is read or written through the engine API runs on that engine's own node
    Future<List<String>> placement = whileRunning == null && afterCompleted == null ? Future.succeededFuture(List.of())
        : orchestrator.localNodeId().map(node -> List.of("node.id==" + node));
    return placement.map(constraints -> new DesiredService(addon.serviceName() + "-" + what, labels, image, List.of("/bin/sh", "-c"),
            List.of(command), Map.of(), secrets, List.of(), null, Math.max(MIN_CPU, addon.cpu()), Math.max(MIN_MEMORY_MB, addon.memoryMb()), 1, "none", 5,
            new TierSpec("addon", AddonRuntime.CAPABILITIES, false, AddonRuntime.PIDS_LIMIT, constraints), List.of(networkId), null))
        .compose(orchestrator::createService)
        .compose(serviceId -> (whileRunning == null ? Future.<Void>succeededFuture()
                : awaitTask(serviceId, deadline, true).compose(task -> whileRunning.apply(task.containerId())))
            .compose(v -> awaitTask(serviceId, deadline, false))
            .compose(task -> afterCompleted == null ? Future.<T>succeededFuture() : afterCompleted.apply(task.containerId()))
            .eventually(() -> orchestrator.removeService(serviceId)));
  }

  /** The task once it runs with a container ({@code running}) or once it completed; fails when it ended otherwise. */
  private Future<ServiceState.Task> awaitTask(String serviceId, long deadline, boolean running) {
    Promise<ServiceState.Task> done = Promise.promise();
    poll(serviceId, deadline, running, done);
    return done.future();
  }

  private void poll(String serviceId, long deadline, boolean running, Promise<ServiceState.Task> done) {
    orchestrator.inspect(serviceId).onComplete(result -> {
      if (result.failed()) {
        done.fail(result.cause());
        return;
      }
      ServiceState state = result.result();
      ServiceState.Task ended = state == null ? null
          : state.tasks().stream().filter(t -> ENDED.contains(t.state())).findFirst().orElse(null);
      ServiceState.Task live = state == null || !running ? null
          : state.tasks().stream().filter(t -> "running".equals(t.state()) && t.containerId() != null).findFirst().orElse(null);
      if (state == null) {
        done.fail(new IllegalStateException("the helper task's service vanished"));
      } else if (live != null) {
        done.complete(live);
      } else if (ended != null && "complete".equals(ended.state())) {
        done.complete(ended);
      } else if (ended != null) {
        done.fail(new IllegalStateException("the helper task " + ended.state() + ": " + (ended.error() != null ? ended.error() : ended.message())));
      } else if (System.nanoTime() > deadline) {
        done.fail(new IllegalStateException("the helper task did not finish in time"));
      } else {
        vertx.setTimer(poll.toMillis(), t -> poll(serviceId, deadline, running, done));
      }
    });
  }
}
