package io.skypanel.controlplane.paas.tasks;

import io.skypanel.common.docker.DockerEngine;
import io.skypanel.controlplane.runtime.workloads.ContainerDeployer;
import io.skypanel.controlplane.runtime.workloads.ContainerRow;
import io.skypanel.controlplane.caas.containers.ContainerSpec;
import io.skypanel.controlplane.runtime.orchestration.DesiredService;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.runtime.orchestration.ServiceState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Throwaway Swarm tasks on a release: the release phase ({@code r-<release id>}) and one-off runs ({@code run-<run id>}).
 * The service is built by the same deployer and spec factory as every workload (hardened, the organization's networks,
 * the release's image and sealed config, the size's CPU and memory), with one replica, restart condition none, no port
 * and no route; it carries its own label instead of {@code skypanel.container}, so the reconciler and the edge never
 * take it for a workload. Callers poll {@link #probe} until the task ended and remove the service themselves.
 */
public final class OneOffTasks {

  private static final Pattern EXIT = Pattern.compile("exit \\((\\d+)\\)");
  private static final Set<String> ENDED = Set.of("complete", "failed", "rejected", "shutdown", "orphaned", "remove");

  private final Orchestrator orchestrator;
  private final ContainerDeployer deployer;
  private final TaskOutput output;

  public OneOffTasks(Orchestrator orchestrator, DockerEngine engine, ContainerDeployer deployer) {
    this.orchestrator = orchestrator;
    this.deployer = deployer;
    this.output = new TaskOutput(engine);
  }

  /** What a one-off task runs: a workload row the deployer can build a spec from (never stored). */
  public record Task(UUID id, UUID organizationId, UUID environmentId, UUID releaseId, String kind, String imageRef, List<String> entrypoint,
                     List<String> cmd, double cpu, int memoryMb) {

    ContainerRow row() {
      ContainerSpec spec = new ContainerSpec(imageRef, entrypoint, cmd, Map.of(), List.of(), List.of(), null, cpu, memoryMb, 1, "none");
      OffsetDateTime now = OffsetDateTime.now();
      return new ContainerRow(id, organizationId, kind, spec, null, null, List.of(), 1, 0, null, "default", "pending", null, null, null,
          new JsonArray(), null, 1, 0, null, null, null, now, now, new ContainerRow.Process(environmentId, kind, releaseId));
    }
  }

  /** Where a task stands: the service is gone, still running (or starting), or its task ended. */
  public record Probe(boolean gone, boolean running, ServiceState.Task ended) {
  }

  /** How an ended task finished: its exit code (null when it never ran), why it failed (null on exit 0), its last output. */
  public record Outcome(Integer exitCode, String reason, String output) {

    public boolean succeeded() {
      return exitCode != null && exitCode == 0;
    }
  }

  /** Creates the task's service (an existing one of that name is reused); its id. */
  public Future<String> start(Task task, String serviceName, String label) {
    return deployer.desired(task.row())
        .map(desired -> {
          Map<String, String> labels = new LinkedHashMap<>(desired.labels());
          labels.remove(ContainerDeployer.LABEL_CONTAINER);
          labels.put(label, task.id().toString());
          return new DesiredService(serviceName, labels, desired.image(), desired.entrypoint(), desired.cmd(), desired.env(),
              desired.secrets(), desired.volumes(), null, desired.cpu(), desired.memoryMb(), 1, "none", desired.stopGraceSeconds(),
              desired.tier(), desired.networkIds(), desired.registryLogin());
        })
        .compose(orchestrator::createService);
  }

  public Future<Probe> probe(String serviceId) {
    return orchestrator.inspect(serviceId).map(state -> {
      if (state == null) {
        return new Probe(true, false, null);
      }
      ServiceState.Task ended = state.tasks().stream().filter(t -> ENDED.contains(t.state())).findFirst().orElse(null);
      boolean running = state.tasks().stream().anyMatch(t -> "running".equals(t.state()));
      return new Probe(false, running, ended);
    });
  }

  /** The ended task's exit code and its last output ({@code lines} lines, at most {@code maxChars}). */
  public Future<Outcome> outcome(ServiceState.Task task, String what, int lines, int maxChars) {
    return output.tail(task.containerId(), lines, maxChars).map(text -> {
      if ("complete".equals(task.state())) {
        return new Outcome(0, null, text);
      }
      String error = task.error() != null ? task.error() : task.message();
      Matcher exit = error == null ? null : EXIT.matcher(error);
      Integer code = exit != null && exit.find() ? Integer.valueOf(exit.group(1)) : null;
      String reason = code != null ? what + " exited " + code : "the task " + task.state() + ": " + error;
      return new Outcome(code, reason, text);
    });
  }

  /** The output so far of a task that is still running (read before it is killed). */
  public Future<String> outputSoFar(ServiceState.Task task, int lines, int maxChars) {
    return output.tail(task == null ? null : task.containerId(), lines, maxChars);
  }

  /** The id of the task service named {@code serviceName}, or null when there is none. */
  public Future<String> find(String serviceName) {
    return orchestrator.inspect(serviceName).map(state -> state == null ? null : state.serviceId());
  }

  /** Removes the task's service; a service already gone is not an error. */
  public Future<Void> remove(String serviceId) {
    return orchestrator.removeService(serviceId);
  }

  /** Every service carrying {@code label}: service id to its labels. */
  public Future<Map<String, Map<String, String>>> labelled(String label) {
    return orchestrator.servicesLabelled(label);
  }

  /** Reads the running task of a service (for its output before it is killed); null when none. */
  public Future<ServiceState.Task> current(String serviceId) {
    return orchestrator.inspect(serviceId).map(state -> state == null || state.tasks().isEmpty() ? null : state.tasks().get(0));
  }
}
