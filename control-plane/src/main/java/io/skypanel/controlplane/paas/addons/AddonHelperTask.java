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

/**
 * A throwaway task of an add-on's own image on the add-on's network (credential rotation; backups may reuse it):
 * one replica, restart condition none, hardened like the add-on, removed once it ended. Succeeds only when the
 * task completed with exit 0.
 */
public final class AddonHelperTask {

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
    Map<String, String> labels = new LinkedHashMap<>(AddonRuntime.labels(addon));
    labels.remove(Labels.UPDATE_ORDER);
    labels.remove(Labels.ENDPOINT_MODE);
    labels.put(Labels.HELPER, what);
    DesiredService desired = new DesiredService(addon.serviceName() + "-" + what, labels, image, List.of("/bin/sh", "-c"), List.of(command),
        Map.of(), secrets, List.of(), null, 0.5, 256, 1, "none", 5,
        new TierSpec("addon", AddonRuntime.CAPABILITIES, false, AddonRuntime.PIDS_LIMIT, List.of()), List.of(networkId), null);
    return orchestrator.createService(desired)
        .compose(serviceId -> awaitEnd(serviceId, System.nanoTime() + timeout.toNanos())
            .eventually(() -> orchestrator.removeService(serviceId)));
  }

  private Future<Void> awaitEnd(String serviceId, long deadline) {
    Promise<Void> done = Promise.promise();
    poll(serviceId, deadline, done);
    return done.future();
  }

  private void poll(String serviceId, long deadline, Promise<Void> done) {
    orchestrator.inspect(serviceId).onComplete(result -> {
      if (result.failed()) {
        done.fail(result.cause());
        return;
      }
      ServiceState state = result.result();
      ServiceState.Task ended = state == null ? null
          : state.tasks().stream().filter(t -> ENDED.contains(t.state())).findFirst().orElse(null);
      if (state == null) {
        done.fail(new IllegalStateException("the helper task's service vanished"));
      } else if (ended != null && "complete".equals(ended.state())) {
        done.complete();
      } else if (ended != null) {
        done.fail(new IllegalStateException("the helper task " + ended.state() + ": " + (ended.error() != null ? ended.error() : ended.message())));
      } else if (System.nanoTime() > deadline) {
        done.fail(new IllegalStateException("the helper task did not finish in time"));
      } else {
        vertx.setTimer(poll.toMillis(), t -> poll(serviceId, deadline, done));
      }
    });
  }
}
