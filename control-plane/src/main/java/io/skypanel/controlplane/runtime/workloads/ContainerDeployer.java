package io.skypanel.controlplane.runtime.workloads;

import io.skypanel.controlplane.caas.containers.ContainerSpec;
import io.skypanel.common.crypto.SecretBox;
import io.skypanel.common.docker.Labels;
import io.skypanel.common.events.PlatformEvents;
import io.skypanel.common.events.Topics;
import io.skypanel.controlplane.runtime.orchestration.DesiredService;
import io.skypanel.controlplane.runtime.orchestration.DesiredService.HealthcheckSpec;
import io.skypanel.controlplane.runtime.orchestration.DesiredService.SecretMount;
import io.skypanel.controlplane.runtime.orchestration.DesiredService.TierSpec;
import io.skypanel.controlplane.runtime.orchestration.DesiredService.VolumeMount;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.caas.policies.PolicyService;
import io.skypanel.controlplane.caas.registries.RegistryCredentialService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns a stored container into the Swarm service it should be, built fresh from PostgreSQL every time:
 * the organization's network and tier, its sealed secrets (created as Swarm secrets on first use), its
 * volumes and the registry login its image needs. A PaaS process workload gets its environment from its release's
 * sealed config (opened here, in memory only), plus {@code PORT} for the web process.
 */
public final class ContainerDeployer {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerDeployer.class);

  /** Labels every platform-managed Swarm object carries. */
  public static final String LABEL_ORG = Labels.ORG;
  public static final String LABEL_CONTAINER = Labels.CONTAINER;
  static final String LABEL_RESTART = Labels.RESTART;
  public static final String LABEL_ENVIRONMENT = Labels.ENVIRONMENT;
  public static final String LABEL_PROCESS = Labels.PROCESS;
  /** The variable that tells a web process where to listen (Heroku's contract). */
  public static final String PORT_VARIABLE = "PORT";

  private final Pool pool;
  private final Orchestrator orchestrator;
  private final SecretBox secrets;
  private final PolicyService policies;
  private final RegistryCredentialService registries;
  private final PlatformEvents events;
  private final ContainerRepository containers = new ContainerRepository();
  private EnvironmentAttachments attachments = EnvironmentAttachments.NONE;

  public ContainerDeployer(Pool pool, Orchestrator orchestrator, SecretBox secrets, PolicyService policies, RegistryCredentialService registries,
                           PlatformEvents events) {
    this.events = events;
    this.pool = pool;
    this.orchestrator = orchestrator;
    this.secrets = secrets;
    this.policies = policies;
    this.registries = registries;
  }

  /** What attached add-ons give every task of a PaaS environment (set once while wiring, before any deploy). */
  public void attachments(EnvironmentAttachments attachments) {
    this.attachments = attachments;
  }

  public static String serviceName(UUID containerId) {
    return "c-" + containerId;
  }

  /** Creates the service (or finds the one already carrying this container's label) and records its id. */
  public Future<String> create(ContainerRow row) {
    return orchestrator.findServiceByContainer(row.id()).compose(existing -> existing != null
            ? Future.succeededFuture(existing)
            : desired(row).compose(orchestrator::createService))
        .compose(serviceId -> containers.setService(pool, row.id(), serviceId).map(serviceId));
  }

  /** Applies the stored spec to the existing service as a rolling update. */
  public Future<Void> update(ContainerRow row) {
    if (row.swarmServiceId() == null) {
      return create(row).mapEmpty();
    }
    return desired(row).compose(desired -> orchestrator.updateService(row.swarmServiceId(), desired));
  }

  /** The hardened service a workload should be (also used for a release phase's one-off task). */
  public Future<DesiredService> desired(ContainerRow row) {
    Future<Boolean> egressDenied = policies.egressDenied(row.organizationId());
    Future<Row> tier = containers.tier(pool, row.organizationId());
    Future<Map<UUID, String>> volumes = containers.volumeNames(pool, row.organizationId(),
        row.spec().volumes().stream().map(ContainerSpec.Mount::volumeId).toList());
    Future<List<SecretMount>> mounts = secretMounts(row);
    Future<DesiredService.RegistryLogin> login = registries.loginFor(row.organizationId(), row.spec().imageRef());
    Future<Map<String, String>> env = environment(row);
    Future<EnvironmentAttachments.Extras> extras = row.process() == null ? Future.succeededFuture(EnvironmentAttachments.Extras.EMPTY)
        : attachments.forEnvironment(row.organizationId(), row.process().environmentId());
    return Future.all(List.of(egressDenied, tier, volumes, mounts, login, env, extras))
        .compose(all -> orchestrator.ensureOrganizationNetworks(row.organizationId(), !egressDenied.result()))
        .map(networks -> {
          if (networks.internalCreated()) {
            announceNetwork(row.organizationId(), networks.internalId());
          }
          EnvironmentAttachments.Extras more = extras.result();
          List<SecretMount> allMounts = new ArrayList<>(mounts.result());
          allMounts.addAll(more.secrets());
          List<String> allNetworks = new ArrayList<>(networks.ids());
          allNetworks.addAll(more.networkIds());
          Map<String, String> allEnv = new LinkedHashMap<>(env.result());
          allEnv.putAll(more.env());
          return build(row, tier.result(), volumes.result(), allMounts, allNetworks, login.result(), allEnv);
        });
  }

  /** Edge gateways join a new organization network at once instead of at their next sync. */
  private void announceNetwork(UUID organizationId, String networkId) {
    events.publish(Topics.NETWORKS_CHANGED, new JsonObject().put("organization_id", organizationId.toString()).put("network_id", networkId))
        .onFailure(err -> LOG.debug("could not announce network {}: {}", networkId, err.getMessage()));
  }

  /**
   * A container's own variables; a process's are its release's config vars, opened only to build the spec, and
   * {@code PORT} for a web process (its one port).
   */
  private Future<Map<String, String>> environment(ContainerRow row) {
    if (row.process() == null) {
      return Future.succeededFuture(row.spec().env());
    }
    return containers.releaseConfig(pool, row.organizationId(), row.process().releaseId()).map(sealed -> {
      Map<String, String> env = secrets.openMap(sealed);
      if (!row.spec().ports().isEmpty()) {
        env.put(PORT_VARIABLE, Integer.toString(row.spec().ports().get(0).containerPort()));
      }
      return env;
    });
  }

  private DesiredService build(ContainerRow row, Row tier, Map<UUID, String> volumeNames, List<SecretMount> secretMounts,
                               List<String> networkIds, DesiredService.RegistryLogin login, Map<String, String> env) {
    ContainerSpec spec = row.spec();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_ORG, row.organizationId().toString());
    labels.put(LABEL_CONTAINER, row.id().toString());
    labels.put(LABEL_RESTART, Integer.toString(row.restartGeneration()));
    if (row.process() != null) {
      labels.put(LABEL_ENVIRONMENT, row.process().environmentId().toString());
      labels.put(LABEL_PROCESS, row.process().type());
    }
    List<VolumeMount> volumes = new ArrayList<>();
    for (ContainerSpec.Mount mount : spec.volumes()) {
      String dockerName = volumeNames.get(mount.volumeId());
      if (dockerName == null) {
        throw new WorkloadRejected("volume_not_found", "volume " + mount.volumeId() + " does not exist in this organization");
      }
      volumes.add(new VolumeMount(dockerName, mount.mountPath(), mount.readOnly()));
    }
    List<String> constraints = tier.getBoolean("dedicated_nodes")
        ? List.of("node.labels." + LABEL_ORG + "==" + row.organizationId()) : List.of();
    TierSpec tierSpec = new TierSpec(tier.getString("id"), Arrays.asList(tier.getArrayOfStrings("cap_add_allowlist")),
        tier.getBoolean("read_only_rootfs"), tier.getInteger("pids_limit"), constraints);
    return new DesiredService(serviceName(row.id()), labels, spec.imageRef(), spec.entrypoint(), spec.cmd(), env, secretMounts,
        volumes,
        healthcheck(spec), spec.cpu(), spec.memoryMb(), row.desiredReplicas(), spec.restartPolicy(), 10, tierSpec,
        networkIds, login);
  }

  /** Each sealed secret becomes an immutable Swarm secret (created once per version) mounted at /run/secrets/NAME. */
  private Future<List<SecretMount>> secretMounts(ContainerRow row) {
    return containers.secrets(pool, row.id()).compose(stored -> {
      List<Future<SecretMount>> mounts = new ArrayList<>();
      for (ContainerRepository.StoredSecret secret : stored) {
        String dockerName = "c-" + row.id() + "-" + secret.name().toLowerCase() + "-v" + secret.version();
        Future<String> id = secret.dockerSecretId() != null ? Future.succeededFuture(secret.dockerSecretId())
            : orchestrator.createSecret(dockerName, secrets.decryptToString(secret.sealedValue()).getBytes(StandardCharsets.UTF_8),
                    Map.of(LABEL_ORG, row.organizationId().toString(), LABEL_CONTAINER, row.id().toString()))
                .compose(created -> containers.setSecretDockerId(pool, secret.id(), created).map(created));
        mounts.add(id.map(secretId -> new SecretMount(secretId, dockerName, secret.name())));
      }
      return Future.all(mounts).map(all -> all.<SecretMount>list());
    });
  }

  /** Removes the Swarm secrets of a deleted container (their values are gone from PostgreSQL with it). */
  public Future<Void> removeSecrets(List<ContainerRepository.StoredSecret> stored) {
    return Future.join(stored.stream().filter(s -> s.dockerSecretId() != null)
        .map(s -> orchestrator.removeSecret(s.dockerSecretId())).toList()).mapEmpty();
  }

  private static HealthcheckSpec healthcheck(ContainerSpec spec) {
    JsonObject check = spec.healthcheck();
    if (check == null) {
      return null;
    }
    Integer port = check.getInteger("port");
    if (port == null && !spec.ports().isEmpty()) {
      port = spec.ports().get(0).containerPort();
    }
    return new HealthcheckSpec(check.getString("type"), port, check.getString("path", "/"), check.getString("command"),
        check.getInteger("interval_s", 10), check.getInteger("timeout_s", 5), check.getInteger("retries", 3),
        check.getInteger("start_period_s", 5));
  }
}
