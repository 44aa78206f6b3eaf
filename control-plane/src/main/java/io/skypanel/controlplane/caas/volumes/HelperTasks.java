package io.skypanel.controlplane.caas.volumes;

import io.skypanel.common.docker.Labels;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.DockerObjectAccessor;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.NetworkAttachmentConfig;
import com.github.dockerjava.api.model.ResourceRequirements;
import com.github.dockerjava.api.model.ResourceSpecs;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceModeConfig;
import com.github.dockerjava.api.model.ServicePlacement;
import com.github.dockerjava.api.model.ServiceReplicatedModeOptions;
import com.github.dockerjava.api.model.ServiceRestartCondition;
import com.github.dockerjava.api.model.ServiceRestartPolicy;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.Task;
import com.github.dockerjava.api.model.TaskSpec;
import com.github.dockerjava.api.model.VolumeOptions;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Short-lived platform helper tasks: a Swarm service with one replica and restart condition none that runs one
 * command against a customer volume (e.g. {@code tar}) and exits. The control plane creates it, polls its task
 * until it completes or fails (bounded), then removes the service and waits until its container is gone, so the
 * volume is free again. Every docker-java call goes through {@link DockerEngine#callSlow}, on the slow pool, so a
 * long helper job never holds a worker the reconciler needs; waiting between polls is a
 * timer, never a sleeping thread.
 *
 * <p>Helpers are the only place where the platform bind-mounts a host path (one snapshot archive file); customer
 * containers never get host paths. A helper runs with a read-only root file system (whatever an archive holds, it
 * can only land in the volume), bounded memory and CPU, attached only to {@value #NETWORK}, an internal overlay
 * network with no route anywhere (instead of the default bridge), on the node whose engine the control plane
 * talks to (where its local volumes live).
 */
final class HelperTasks {

  /** The label every helper service and container carries; its value says what the helper does. */
  static final String HELPER_LABEL = Labels.HELPER;
  /** The internal network helpers are attached to, created on first use. */
  static final String NETWORK = "skypanel-helpers";

  private static final Logger LOG = LoggerFactory.getLogger(HelperTasks.class);
  private static final long MEMORY_BYTES = 256L * 1024 * 1024;
  private static final long NANO_CPUS = 1_000_000_000L;
  private static final Duration REMOVAL_BOUND = Duration.ofSeconds(60);

  private final Vertx vertx;
  private final DockerEngine engine;
  private final Orchestrator orchestrator;
  private final String image;
  private final Duration timeout;
  private final long pollMillis;
  private volatile String networkId;

  HelperTasks(Vertx vertx, DockerEngine engine, Orchestrator orchestrator, String image, Duration timeout, long pollMillis) {
    this.vertx = vertx;
    this.engine = engine;
    this.orchestrator = orchestrator;
    this.image = image;
    this.timeout = timeout;
    this.pollMillis = pollMillis;
  }

  Duration timeout() {
    return timeout;
  }

  /** A mount of the helper: a named volume or (platform only) one host file. */
  record HelperMount(MountType type, String source, String target, boolean readOnly) {

    static HelperMount volume(String dockerVolumeName, String target, boolean readOnly) {
      return new HelperMount(MountType.VOLUME, dockerVolumeName, target, readOnly);
    }

    static HelperMount hostFile(String path, String target, boolean readOnly) {
      return new HelperMount(MountType.BIND, path, target, readOnly);
    }
  }

  /**
   * @param name    the Swarm service name (unique per job)
   * @param labels  labels of the service and its container, besides {@link #HELPER_LABEL}
   * @param kind    the value of {@link #HELPER_LABEL}, e.g. {@code snapshot}
   * @param command the full command (replaces the image's entrypoint)
   */
  record Job(String name, String kind, Map<String, String> labels, List<HelperMount> mounts, List<String> command) {
  }

  /** How the helper ended; {@code message} explains a failure in words fit for the customer. */
  record Outcome(boolean succeeded, String message) {
  }

  /** Runs the job to its end; fails only when the engine cannot be asked at all (a failed task is an outcome). */
  Future<Outcome> run(Job job) {
    long deadline = System.nanoTime() + timeout.toNanos();
    return orchestrator.localNodeId().compose(node -> network().compose(network ->
            engine.callSlow(docker -> docker.createServiceCmd(spec(job, node, network)).exec().getId())
                // e.g. the network was removed behind our back: look it up again next time
                .onFailure(err -> networkId = null)))
        .compose(serviceId -> poll(serviceId, deadline)
            .recover(err -> Future.succeededFuture(new Outcome(false, "the helper task could not be watched: " + err.getMessage())))
            .compose(outcome -> remove(serviceId).map(outcome)));
  }

  /** Removes helper services older than {@code age} (left behind by a control plane that died mid-job). */
  Future<Integer> removeStale(Duration age) {
    Instant before = Instant.now().minus(age);
    return engine.callSlow(docker -> docker.listServicesCmd().withLabelFilter(Map.of(HELPER_LABEL, "")).exec()).compose(services -> {
      List<Future<Void>> removals = new ArrayList<>();
      for (Service service : services) {
        if (service.getCreatedAt() != null && service.getCreatedAt().toInstant().isBefore(before)) {
          LOG.warn("removing stale helper service {} ({})", service.getSpec() == null ? service.getId() : service.getSpec().getName(), service.getId());
          removals.add(remove(service.getId()));
        }
      }
      return Future.join(removals).map(done -> removals.size());
    });
  }

  /** The id of {@value #NETWORK}; several control planes may race to create it, the engine keeps one. */
  private Future<String> network() {
    if (networkId != null) {
      return Future.succeededFuture(networkId);
    }
    return engine.callSlow(docker -> {
      String existing = findNetwork(docker);
      if (existing != null) {
        return existing;
      }
      try {
        return docker.createNetworkCmd().withName(NETWORK).withDriver("overlay").withInternal(true).withAttachable(false)
            .withCheckDuplicate(true).withLabels(Map.of(Labels.PLATFORM, "helpers")).exec().getId();
      } catch (ConflictException raced) {
        String created = findNetwork(docker);
        if (created == null) {
          throw raced;
        }
        return created;
      }
    }).onSuccess(id -> networkId = id);
  }

  /** Worker thread only. The name filter matches substrings, hence the exact comparison. */
  private static String findNetwork(DockerClient docker) {
    for (Network network : docker.listNetworksCmd().withNameFilter(NETWORK).exec()) {
      if (NETWORK.equals(network.getName())) {
        return network.getId();
      }
    }
    return null;
  }

  private ServiceSpec spec(Job job, String node, String network) {
    Map<String, String> labels = new HashMap<>(job.labels());
    labels.put(HELPER_LABEL, job.kind());
    List<Mount> mounts = new ArrayList<>();
    for (HelperMount mount : job.mounts()) {
      Mount spec = new Mount().withType(mount.type()).withSource(mount.source()).withTarget(mount.target()).withReadOnly(mount.readOnly());
      if (mount.type() == MountType.VOLUME) {
        // never copy image content into a customer volume
        spec.withVolumeOptions(new VolumeOptions().withNoCopy(true));
      }
      mounts.add(spec);
    }
    ContainerSpec container = new ContainerSpec()
        .withImage(image)
        .withCommand(job.command())
        .withLabels(labels)
        .withMounts(mounts)
        .withReadOnly(true)
        .withUser("0:0");
    // docker-java's model lacks these fields; tar needs only to read any file and to restore ownership and modes
    DockerObjectAccessor.overrideRawValue(container, "CapabilityDrop", List.of("ALL"));
    DockerObjectAccessor.overrideRawValue(container, "CapabilityAdd", List.of("CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER"));
    TaskSpec task = new TaskSpec()
        .withContainerSpec(container)
        .withRestartPolicy(new ServiceRestartPolicy().withCondition(ServiceRestartCondition.NONE).withMaxAttempts(0L))
        .withPlacement(new ServicePlacement().withConstraints(List.of("node.id==" + node)))
        .withNetworks(List.of(new NetworkAttachmentConfig().withTarget(network)))
        .withResources(new ResourceRequirements().withLimits(new ResourceSpecs().withMemoryBytes(MEMORY_BYTES).withNanoCPUs(NANO_CPUS)));
    return new ServiceSpec()
        .withName(job.name())
        .withLabels(labels)
        .withMode(new ServiceModeConfig().withReplicated(new ServiceReplicatedModeOptions().withReplicas(1)))
        .withTaskTemplate(task);
  }

  private Future<Outcome> poll(String serviceId, long deadline) {
    return engine.callSlow(docker -> {
      List<Task> tasks = docker.listTasksCmd().withServiceFilter(serviceId).exec();
      Outcome outcome = HelperOutcomes.of(tasks);
      if (outcome != null && !outcome.succeeded()) {
        String logs = HelperOutcomes.logTail(docker, tasks);
        if (logs != null) {
          outcome = new Outcome(false, outcome.message() + ": " + logs);
        }
      }
      return outcome;
    }).compose(outcome -> {
      if (outcome != null) {
        return Future.succeededFuture(outcome);
      }
      if (System.nanoTime() - deadline > 0) {
        return Future.succeededFuture(new Outcome(false, "the helper task did not finish within " + timeout.toSeconds() + " s"));
      }
      Promise<Void> tick = Promise.promise();
      vertx.setTimer(pollMillis, id -> tick.complete());
      return tick.future().compose(v -> poll(serviceId, deadline));
    });
  }

  /** Removes the service, then waits (bounded) until Swarm has removed its container, which holds the volume. */
  private Future<Void> remove(String serviceId) {
    long deadline = System.nanoTime() + REMOVAL_BOUND.toNanos();
    return engine.callSlow(docker -> {
      try {
        docker.removeServiceCmd(serviceId).exec();
      } catch (NotFoundException gone) {
        // already removed
      }
      return null;
    }).compose(v -> containersGone(serviceId, deadline)).recover(err -> {
      LOG.warn("could not remove helper service {}: {}", serviceId, err.getMessage());
      return Future.succeededFuture();
    });
  }

  private Future<Void> containersGone(String serviceId, long deadline) {
    return engine.callSlow(docker -> docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of("com.docker.swarm.service.id", serviceId)).exec().isEmpty()).compose(gone -> {
      if (gone) {
        return Future.succeededFuture();
      }
      if (System.nanoTime() - deadline > 0) {
        LOG.warn("the container of helper service {} is still there after {} s", serviceId, REMOVAL_BOUND.toSeconds());
        return Future.succeededFuture();
      }
      Promise<Void> tick = Promise.promise();
      vertx.setTimer(pollMillis, id -> tick.complete());
      return tick.future().compose(x -> containersGone(serviceId, deadline));
    });
  }
}
