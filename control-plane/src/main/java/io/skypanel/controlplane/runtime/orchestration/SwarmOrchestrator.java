package io.skypanel.controlplane.runtime.orchestration;

import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.Labels;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * {@link Orchestrator} on Docker Swarm through docker-java: a thin facade over one small class per kind of engine
 * object ({@link SwarmNetworks}, {@link SwarmSecrets}, {@link SwarmVolumes}, {@link SwarmServices},
 * {@link SwarmTasks}, {@link SwarmEvents}, {@link SwarmStats}). Every engine call runs through {@link DockerEngine},
 * on its worker pools, never on an event loop.
 *
 * <p>Where docker-java's model lacks what the engine sends or accepts, those classes talk to the engine's API
 * through docker-java's own HTTP transport ({@link EngineApi}): task listing as JSON, service update with
 * registry credentials, secret creation from arbitrary bytes.
 */
public final class SwarmOrchestrator implements Orchestrator {

  public static final String NETWORK_PREFIX = SwarmNetworks.NETWORK_PREFIX;
  public static final String ORG_LABEL = Labels.ORG;
  public static final String CONTAINER_LABEL = Labels.CONTAINER;

  private final DockerEngine engine;
  private final SwarmTasks tasks;
  private final ServiceSpecFactory.Rollout rollout;
  private final SwarmNetworks networks;
  private final SwarmSecrets secrets;
  private final SwarmVolumes volumes;
  private final SwarmServices services;
  private final SwarmEvents events;
  private final SwarmStats stats;
  private final SwarmExec exec;
  private final SwarmResourceNetworks resourceNetworks;

  public SwarmOrchestrator(DockerEngine engine) {
    this(engine, ServiceSpecFactory.Rollout.DEFAULT, Map.of());
  }

  public SwarmOrchestrator(DockerEngine engine, ServiceSpecFactory.Rollout rollout) {
    this(engine, rollout, Map.of());
  }

  /**
   * @param rollout      monitor and delay of rolling updates (tests use short ones)
   * @param commonLabels labels put on every network, secret, volume and service this orchestrator creates, next
   *                     to their own (e.g. a platform instance id; tests use them to find what they made)
   */
  public SwarmOrchestrator(DockerEngine engine, ServiceSpecFactory.Rollout rollout, Map<String, String> commonLabels) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.rollout = Objects.requireNonNull(rollout, "rollout");
    CommonLabels labels = new CommonLabels(commonLabels);
    Removal removal = new Removal(engine);
    SwarmTasks tasks = new SwarmTasks();
    this.tasks = tasks;
    this.networks = new SwarmNetworks(engine, labels);
    this.secrets = new SwarmSecrets(engine, labels, removal);
    this.volumes = new SwarmVolumes(engine, labels, removal);
    this.services = new SwarmServices(engine, labels, this::specFactory, tasks, removal);
    this.events = new SwarmEvents(engine);
    this.stats = new SwarmStats(engine, tasks);
    this.exec = new SwarmExec(engine, tasks);
    this.resourceNetworks = new SwarmResourceNetworks(engine, labels, removal);
  }

  /**
   * Whether the engine accepts {@code ContainerSpec.Privileges.NoNewPrivileges} (API 1.44 and newer). On older
   * engines it is not sent: the process may then gain privileges through setuid binaries of the image, though
   * every capability is still dropped.
   */
  public boolean supportsNoNewPrivileges() {
    return apiAtLeast(engine.status().apiVersion(), 1, 44);
  }

  static boolean apiAtLeast(String apiVersion, int major, int minor) {
    return DockerEngine.EngineStatus.apiAtLeast(apiVersion, major, minor);
  }

  /** The spec builder for the engine as it is now (NoNewPrivileges only where supported). */
  public ServiceSpecFactory specFactory() {
    return new ServiceSpecFactory(rollout, supportsNoNewPrivileges());
  }

  /** The organization's internal network: every task of the organization and the edge gateways join it. */
  public static String networkName(UUID organizationId) {
    return SwarmNetworks.networkName(organizationId);
  }

  /** The organization's egress network: joined only while the organization allows egress. */
  public static String egressNetworkName(UUID organizationId) {
    return SwarmNetworks.egressNetworkName(organizationId);
  }

  @Override
  public Future<OrganizationNetworks> ensureOrganizationNetworks(UUID organizationId, boolean egressAllowed) {
    return networks.ensure(organizationId, egressAllowed);
  }

  @Override
  public Future<Void> removeOrganizationNetworks(UUID organizationId) {
    return networks.removeOrganization(organizationId);
  }

  @Override
  public Future<String> ensureInternalNetwork(String name, Map<String, String> labels) {
    return resourceNetworks.ensure(name, labels);
  }

  @Override
  public Future<Void> removeNetwork(String name) {
    return resourceNetworks.remove(name);
  }

  @Override
  public Future<Void> removeSecretsLabelled(String label, String value, java.util.Collection<String> keepIds) {
    return resourceNetworks.removeSecretsLabelled(label, value, keepIds);
  }

  @Override
  public Future<ExecResult> exec(String serviceId, List<String> command, java.time.Duration timeout) {
    return exec.exec(serviceId, command, timeout);
  }

  @Override
  public Future<Boolean> anyNodeLabelled(String label, String value) {
    return resourceNetworks.anyNodeLabelled(label, value);
  }

  @Override
  public Future<String> localNodeId() {
    return engine.call(docker -> {
      String id = tasks.localNodeId(docker);
      if (id == null) {
        throw new OrchestrationException("the Docker engine is not part of a swarm");
      }
      return id;
    });
  }

  @Override
  public Future<String> createSecret(String name, byte[] value, Map<String, String> labels) {
    return secrets.create(name, value, labels);
  }

  @Override
  public Future<Void> removeSecret(String secretId) {
    return secrets.remove(secretId);
  }

  @Override
  public Future<Void> createVolume(String name, Map<String, String> labels) {
    return volumes.create(name, labels);
  }

  @Override
  public Future<Void> removeVolume(String name) {
    return volumes.remove(name);
  }

  @Override
  public Future<String> createService(DesiredService desired) {
    return services.create(desired);
  }

  @Override
  public Future<Void> updateService(String serviceId, DesiredService desired) {
    return services.update(serviceId, desired);
  }

  @Override
  public Future<Void> removeService(String serviceId) {
    return services.remove(serviceId);
  }

  @Override
  public Future<ServiceState> inspect(String serviceId) {
    return services.inspect(serviceId);
  }

  @Override
  public Future<String> findServiceByContainer(UUID containerId) {
    return services.findByContainer(containerId);
  }

  @Override
  public Future<Map<String, Map<String, String>>> servicesLabelled(String label) {
    return services.labelled(label);
  }

  @Override
  public Future<Integer> remainingTaskContainers(UUID containerId) {
    return services.remainingTaskContainers(containerId);
  }

  @Override
  public EventWatch watchContainers(Handler<UUID> changed) {
    return events.watch(changed);
  }

  @Override
  public Future<JsonObject> stats(String serviceId) {
    return stats.stats(serviceId);
  }
}
