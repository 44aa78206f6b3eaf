package io.skypanel.controlplane.runtime.orchestration;

import java.util.List;
import java.util.Map;

/**
 * Everything the platform wants one Swarm service to be. Built fresh from PostgreSQL for every create and
 * update (an inspected spec would re-send stale raw values); the orchestrator turns it into a hardened
 * docker-java {@code ServiceSpec}.
 *
 * @param serviceName  Swarm service name, {@code c-<container id>}
 * @param labels       {@code skypanel.org}, {@code skypanel.container}, {@code skypanel.environment}, ...
 * @param image        what to run: a tag or {@code name@sha256:...}
 * @param entrypoint   null keeps the image's ENTRYPOINT
 * @param cmd          null keeps the image's CMD
 * @param secrets      Swarm secrets mounted as files under {@code /run/secrets}
 * @param volumes      named volumes only, never host paths
 * @param healthcheck  null: the image's own health check (if any)
 * @param networkIds   overlay networks the tasks join (only the owning organization's). Tasks publish no host
 *                     port: the edge reaches them on the organization's internal network through its gateways
 * @param registryLogin credentials for a private image's registry, or null
 * @param stopSignal   the signal that stops a task (e.g. {@code SIGINT}: PostgreSQL's fast shutdown), null for the
 *                     image's own (SIGTERM unless it says otherwise)
 */
public record DesiredService(
    String serviceName,
    Map<String, String> labels,
    String image,
    List<String> entrypoint,
    List<String> cmd,
    Map<String, String> env,
    List<SecretMount> secrets,
    List<VolumeMount> volumes,
    HealthcheckSpec healthcheck,
    double cpu,
    int memoryMb,
    int replicas,
    String restartPolicy,
    int stopGraceSeconds,
    TierSpec tier,
    List<String> networkIds,
    RegistryLogin registryLogin,
    String stopSignal) {

  /** A service stopped with the image's own signal (every workload but the add-ons). */
  public DesiredService(String serviceName, Map<String, String> labels, String image, List<String> entrypoint, List<String> cmd,
                        Map<String, String> env, List<SecretMount> secrets, List<VolumeMount> volumes, HealthcheckSpec healthcheck,
                        double cpu, int memoryMb, int replicas, String restartPolicy, int stopGraceSeconds, TierSpec tier,
                        List<String> networkIds, RegistryLogin registryLogin) {
    this(serviceName, labels, image, entrypoint, cmd, env, secrets, volumes, healthcheck, cpu, memoryMb, replicas, restartPolicy,
        stopGraceSeconds, tier, networkIds, registryLogin, null);
  }

  /** Credentials the engine uses to pull from a private registry; never logged, never put in labels. */
  public record RegistryLogin(String serverAddress, String username, String password) {

    @Override
    public String toString() {
      return "RegistryLogin[" + serverAddress + ", " + username + "]";
    }
  }

  /**
   * A Swarm secret mounted read-only at {@code /run/secrets/<fileName>}, owned by root.
   *
   * @param mode the file's mode, null for owner-only ({@code 0400}); add-on servers read theirs after dropping root
   */
  public record SecretMount(String secretId, String secretName, String fileName, Integer mode) {

    public SecretMount(String secretId, String secretName, String fileName) {
      this(secretId, secretName, fileName, null);
    }
  }

  public record VolumeMount(String dockerVolumeName, String mountPath, boolean readOnly) {
  }

  /**
   * The container's health check. {@code type} http probes {@code http://127.0.0.1:<port><path>} with
   * {@code wget}, tcp connects to the port with {@code nc}, cmd runs {@code command} through {@code /bin/sh -c}.
   */
  public record HealthcheckSpec(String type, Integer port, String path, String command, int intervalSeconds,
                                int timeoutSeconds, int retries, int startPeriodSeconds) {
  }

  /**
   * What the organization's isolation tier guarantees.
   *
   * @param capAdd               capabilities added back after dropping ALL
   * @param readOnlyRootfs       root filesystem read-only, with a tmpfs at /tmp
   * @param pidsLimit            maximum processes per task (0: engine default)
   * @param placementConstraints e.g. {@code node.labels.skypanel.org==<id>} for the dedicated tier
   */
  public record TierSpec(String name, List<String> capAdd, boolean readOnlyRootfs, long pidsLimit, List<String> placementConstraints) {
  }
}
