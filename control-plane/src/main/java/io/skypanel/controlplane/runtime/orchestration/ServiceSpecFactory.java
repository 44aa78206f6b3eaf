package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.ContainerSpecFile;
import com.github.dockerjava.api.model.ContainerSpecPrivileges;
import com.github.dockerjava.api.model.ContainerSpecSecret;
import com.github.dockerjava.api.model.DockerObjectAccessor;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.NetworkAttachmentConfig;
import com.github.dockerjava.api.model.ServiceModeConfig;
import com.github.dockerjava.api.model.ServicePlacement;
import com.github.dockerjava.api.model.ServiceReplicatedModeOptions;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.TaskSpec;
import com.github.dockerjava.api.model.TmpfsOptions;
import com.github.dockerjava.api.model.UpdateConfig;
import com.github.dockerjava.api.model.UpdateFailureAction;
import com.github.dockerjava.api.model.UpdateOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns a {@link DesiredService} into a hardened docker-java {@link ServiceSpec}: a pure function (no engine
 * calls), so every guarantee below is unit-testable.
 *
 * <ul>
 *   <li>every capability dropped ({@code CapabilityDrop ["ALL"]}), only the tier's {@code capAdd} added back;</li>
 *   <li>never privileged, no host namespaces, no host paths: mounts are named volumes (type volume) and, when
 *       the tier makes the root filesystem read-only, a tmpfs at {@code /tmp};</li>
 *   <li>CPU, memory and pids limits, small reservations; restart policy; stop grace period; an init process;</li>
 *   <li>no published port at all: the edge reaches tasks on the organization's internal network;</li>
 *   <li>rolling updates one task at a time, start-first, rolled back on the first failure.</li>
 * </ul>
 *
 * Fields docker-java's model lacks ({@code CapabilityAdd}, {@code CapabilityDrop}, {@code Limits.Pids},
 * {@code Privileges.NoNewPrivileges}) are set as raw values, which the client serializes next to the typed ones.
 */
public final class ServiceSpecFactory {

  public static final String TMP = "/tmp";
  /** Where secrets appear inside the container; the engine mounts them under this directory. */
  public static final String SECRETS_DIR = "/run/secrets/";
  static final long TMPFS_BYTES = 64L * 1024 * 1024;
  static final int TMPFS_MODE = 01777;
  static final long SECRET_FILE_MODE = 0400;

  private static final Pattern VOLUME_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
  private static final Set<String> FORBIDDEN_NETWORKS = Set.of("host", "bridge", "none", "ingress", "docker_gwbridge");

  /**
   * How rolling updates and rollbacks proceed.
   *
   * @param monitor       how long Swarm watches each updated task for failure before counting it a success
   * @param delay         pause between two updated tasks
   * @param rollbackOrder start-first or stop-first for the automatic rollback
   */
  public record Rollout(Duration monitor, Duration delay, UpdateOrder rollbackOrder) {

    /** Production defaults: a task must stay healthy for 10 s; rollback also starts the old task first. */
    public static final Rollout DEFAULT = new Rollout(Duration.ofSeconds(10), Duration.ofSeconds(2), UpdateOrder.START_FIRST);
  }

  private final Rollout rollout;
  private final boolean noNewPrivileges;

  /**
   * @param noNewPrivileges send {@code Privileges.NoNewPrivileges=true}; only when the engine's API is 1.44 or
   *                        newer (older engines reject or silently drop it)
   */
  public ServiceSpecFactory(Rollout rollout, boolean noNewPrivileges) {
    this.rollout = rollout;
    this.noNewPrivileges = noNewPrivileges;
  }

  public Rollout rollout() {
    return rollout;
  }

  /** A fresh, complete spec; never derived from an inspected one. */
  public ServiceSpec build(DesiredService desired) {
    require(desired.serviceName() != null && !desired.serviceName().isBlank(), "service name is required");
    require(desired.image() != null && !desired.image().isBlank(), "image is required");
    require(desired.tier() != null, "tier is required");
    require(desired.replicas() >= 0, "replicas must not be negative");
    Map<String, String> labels = desired.labels() == null ? Map.of() : new TreeMap<>(desired.labels());
    // tasks that must never overlap (one data volume) are replaced stop-first, also when rolled back
    boolean stopFirst = io.skypanel.common.docker.Labels.STOP_FIRST.equals(labels.get(io.skypanel.common.docker.Labels.UPDATE_ORDER));

    ServiceSpec spec = new ServiceSpec()
        .withName(desired.serviceName())
        .withLabels(new TreeMap<>(labels))
        .withMode(new ServiceModeConfig().withReplicated(new ServiceReplicatedModeOptions().withReplicas(desired.replicas())))
        .withTaskTemplate(taskSpec(desired, labels))
        .withEndpointSpec(io.skypanel.common.docker.Labels.DNSRR.equals(labels.get(io.skypanel.common.docker.Labels.ENDPOINT_MODE))
            ? new com.github.dockerjava.api.model.EndpointSpec().withMode(com.github.dockerjava.api.model.EndpointResolutionMode.DNSRR)
            : null)
        .withUpdateConfig(new UpdateConfig()
            .withParallelism(1L)
            .withDelay(rollout.delay().toNanos())
            .withFailureAction(UpdateFailureAction.ROLLBACK)
            .withMonitor(rollout.monitor().toNanos())
            .withMaxFailureRatio(0f)
            .withOrder(stopFirst ? UpdateOrder.STOP_FIRST : UpdateOrder.START_FIRST))
        .withRollbackConfig(new UpdateConfig()
            .withParallelism(1L)
            .withDelay(0L)
            .withFailureAction(UpdateFailureAction.PAUSE)
            .withMonitor(rollout.monitor().toNanos())
            .withMaxFailureRatio(0f)
            .withOrder(stopFirst ? UpdateOrder.STOP_FIRST : rollout.rollbackOrder()));
    return spec;
  }

  private TaskSpec taskSpec(DesiredService desired, Map<String, String> labels) {
    DesiredService.TierSpec tier = desired.tier();
    ContainerSpec container = new ContainerSpec()
        .withImage(desired.image())
        .withLabels(new TreeMap<>(labels))
        .withInit(true)
        .withReadOnly(tier.readOnlyRootfs())
        .withMounts(mounts(desired.volumes(), tier.readOnlyRootfs()))
        .withSecrets(secrets(desired.secrets()))
        .withStopGracePeriod(Duration.ofSeconds(Math.max(0, desired.stopGraceSeconds())).toNanos());
    if (desired.stopSignal() != null) {
      container.withStopSignal(desired.stopSignal());
    }
    if (desired.entrypoint() != null) {
      container.withCommand(List.copyOf(desired.entrypoint()));
    }
    if (desired.cmd() != null) {
      container.withArgs(List.copyOf(desired.cmd()));
    }
    container.withEnv(env(desired.env()));
    HealthCheck health = HealthChecks.healthCheck(desired.healthcheck());
    if (health != null) {
      container.withHealthCheck(health);
    }
    DockerObjectAccessor.overrideRawValue(container, "CapabilityDrop", List.of("ALL"));
    DockerObjectAccessor.overrideRawValue(container, "CapabilityAdd", capAdd(tier.capAdd()));
    if (noNewPrivileges) {
      ContainerSpecPrivileges privileges = new ContainerSpecPrivileges();
      DockerObjectAccessor.overrideRawValue(privileges, "NoNewPrivileges", true);
      container.withPrivileges(privileges);
    }

    TaskSpec task = new TaskSpec()
        .withContainerSpec(container)
        .withResources(TaskLimits.resources(desired.cpu(), desired.memoryMb(), tier.pidsLimit()))
        .withRestartPolicy(TaskLimits.restartPolicy(desired.restartPolicy()))
        .withNetworks(networks(desired.networkIds()));
    List<String> constraints = tier.placementConstraints() == null ? List.of() : List.copyOf(tier.placementConstraints());
    if (!constraints.isEmpty()) {
      task.withPlacement(new ServicePlacement().withConstraints(constraints));
    }
    return task;
  }

  static List<String> capAdd(List<String> capAdd) {
    List<String> caps = new ArrayList<>();
    if (capAdd != null) {
      for (String cap : capAdd) {
        require(cap != null && !cap.isBlank(), "blank capability");
        String normalized = cap.trim().toUpperCase(Locale.ROOT);
        require(!normalized.equals("ALL") && !normalized.equals("CAP_ALL"), "a tier may not add back ALL capabilities");
        caps.add(normalized);
      }
    }
    return caps;
  }

  static List<String> env(Map<String, String> env) {
    List<String> list = new ArrayList<>();
    if (env != null) {
      new TreeMap<>(env).forEach((key, value) -> {
        require(key != null && !key.isEmpty() && key.indexOf('=') < 0 && key.indexOf('\0') < 0, "invalid environment variable name");
        list.add(key + "=" + (value == null ? "" : value));
      });
    }
    return list;
  }

  static List<Mount> mounts(List<DesiredService.VolumeMount> volumes, boolean readOnlyRootfs) {
    List<Mount> mounts = new ArrayList<>();
    boolean tmpTaken = false;
    if (volumes != null) {
      for (DesiredService.VolumeMount volume : volumes) {
        String name = volume.dockerVolumeName();
        require(name != null && VOLUME_NAME.matcher(name).matches(), "volume " + name + " is not a named volume (host paths are never mounted)");
        String target = volume.mountPath();
        require(target != null && target.startsWith("/") && !target.contains(".."), "mount path must be absolute: " + target);
        require(!target.contains("docker.sock") && !target.equals("/"), "mount path not allowed: " + target);
        tmpTaken |= normalizePath(target).equals(TMP);
        mounts.add(new Mount()
            .withType(MountType.VOLUME)
            .withSource(name)
            .withTarget(target)
            .withReadOnly(volume.readOnly()));
      }
    }
    if (readOnlyRootfs && !tmpTaken) {
      mounts.add(new Mount()
          .withType(MountType.TMPFS)
          .withTarget(TMP)
          .withTmpfsOptions(new TmpfsOptions().withSizeBytes(TMPFS_BYTES).withMode(TMPFS_MODE)));
    }
    return mounts;
  }

  private static String normalizePath(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  static List<ContainerSpecSecret> secrets(List<DesiredService.SecretMount> secrets) {
    List<ContainerSpecSecret> list = new ArrayList<>();
    if (secrets != null) {
      for (DesiredService.SecretMount secret : secrets) {
        require(secret.secretId() != null && secret.secretName() != null, "secret id and name are required");
        String file = secret.fileName() == null ? secret.secretName() : secret.fileName();
        require(!file.isBlank() && !file.contains("/") && !file.equals(".") && !file.equals(".."), "secret file name must be a plain name: " + file);
        list.add(new ContainerSpecSecret()
            .withSecretId(secret.secretId())
            .withSecretName(secret.secretName())
            .withFile(new ContainerSpecFile().withName(file).withUid("0").withGid("0")
                .withMode(secret.mode() == null ? SECRET_FILE_MODE : secret.mode())));
      }
    }
    return list;
  }

  static List<NetworkAttachmentConfig> networks(List<String> networkIds) {
    List<NetworkAttachmentConfig> list = new ArrayList<>();
    if (networkIds != null) {
      for (String id : networkIds) {
        require(id != null && !id.isBlank() && !FORBIDDEN_NETWORKS.contains(id), "network not allowed: " + id);
        list.add(new NetworkAttachmentConfig().withTarget(id));
      }
    }
    return list;
  }

  /** The credentials docker-java sends as {@code X-Registry-Auth}, or null. */
  public static AuthConfig authConfig(DesiredService.RegistryLogin login) {
    if (login == null) {
      return null;
    }
    return new AuthConfig()
        .withRegistryAddress(login.serverAddress())
        .withUsername(login.username())
        .withPassword(login.password());
  }

  /** Fails a spec that would break a guarantee; a programming or data error, never the customer's input. */
  static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
