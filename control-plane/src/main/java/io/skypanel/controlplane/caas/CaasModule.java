package io.skypanel.controlplane.caas;

import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.common.Platform;
import io.skypanel.common.events.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Idempotency;
import io.skypanel.controlplane.runtime.workloads.ContainerDeployer;
import io.skypanel.controlplane.runtime.workloads.ContainerReconciler;
import io.skypanel.controlplane.caas.containers.ContainerService;
import io.skypanel.controlplane.runtime.workloads.EdgeReachability;
import io.skypanel.controlplane.runtime.workloads.WorkloadMetrics;
import io.skypanel.controlplane.caas.containers.ContainersFeature;
import io.skypanel.controlplane.caas.domains.DnsTxtVerifier;
import io.skypanel.controlplane.caas.domains.DomainRechecker;
import io.skypanel.controlplane.caas.domains.DomainService;
import io.skypanel.controlplane.caas.domains.DomainsFeature;
import io.skypanel.controlplane.caas.edge.EdgeSettingsFeature;
import io.skypanel.controlplane.caas.edge.EdgeSettingsService;
import io.skypanel.controlplane.runtime.orchestration.SwarmOrchestrator;
import io.skypanel.controlplane.caas.policies.PoliciesFeature;
import io.skypanel.controlplane.caas.policies.PolicyService;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.caas.quotas.UsageFeature;
import io.skypanel.controlplane.caas.registries.RegistriesFeature;
import io.skypanel.controlplane.caas.registries.RegistryCredentialService;
import io.skypanel.controlplane.caas.volumes.SnapshotService;
import io.skypanel.controlplane.caas.volumes.VolumeService;
import io.skypanel.controlplane.caas.volumes.VolumesFeature;

import java.util.List;
import java.util.UUID;

/**
 * Wires the CaaS services of one control plane: policies, registry credentials, quotas, the Swarm
 * orchestrator, containers and their reconciler, volumes, and custom domains with their background re-check.
 * The reconciler and the re-check run while the verticle does.
 */
public final class CaasModule {

  private static final Logger LOG = LoggerFactory.getLogger(CaasModule.class);

  private final Platform platform;
  private final ControlPlaneOptions options;
  private final PolicyService policies;
  private final RegistryCredentialService registries;
  private final QuotaService quotas;
  private final SwarmOrchestrator orchestrator;
  private final ContainerDeployer deployer;
  private final ContainerReconciler reconciler;
  private final EdgeReachability reachability;
  private final ContainerService containers;
  private final Idempotency idempotency;
  private final DnsTxtVerifier dns;
  private final DomainService domains;
  private final DomainRechecker domainRechecker;
  private final EdgeSettingsService edgeSettings;
  private final WorkloadMetrics metrics;

  public CaasModule(Platform platform, ControlPlaneOptions options) {
    this.platform = platform;
    this.options = options;
    this.policies = new PolicyService(platform.pool(), options.caas(), options.builds().registry());
    this.registries = new RegistryCredentialService(platform.pool(), platform.secrets(), options.builds().registry());
    this.quotas = new QuotaService(options.caas().defaultPlan());
    this.orchestrator = new SwarmOrchestrator(platform.docker());
    this.deployer = new ContainerDeployer(platform.pool(), orchestrator, platform.secrets(), policies, registries,
        platform.events());
    this.reconciler = new ContainerReconciler(platform.vertx(), platform.pool(), platform.redisApi(), platform.redisPrefix(), orchestrator, deployer,
        platform.events());
    policies.onReapply(reconciler::converge);
    this.reachability = new EdgeReachability(platform.redisApi(), platform.redisPrefix());
    this.metrics = new WorkloadMetrics(platform.pool(), orchestrator);
    this.containers = new ContainerService(platform.pool(), platform.secrets(), policies, registries, quotas, reconciler, reachability,
        metrics, options.baseDomain());
    this.idempotency = new Idempotency(platform.redisApi(), platform.redisPrefix());
    this.dns = new DnsTxtVerifier(platform.vertx(), options.caas());
    this.domains = new DomainService(platform.pool(), quotas, dns, platform.events(), options.baseDomain());
    this.domainRechecker = new DomainRechecker(platform.vertx(), domains, platform.redisApi(), platform.redisPrefix());
    this.edgeSettings = new EdgeSettingsService(platform.pool(), platform.events());
  }

  public List<ApiFeature> features() {
    return List.of(
        new PoliciesFeature(policies),
        new RegistriesFeature(registries),
        new ContainersFeature(containers, idempotency),
        new DomainsFeature(domains, idempotency),
        new UsageFeature(platform.pool(), quotas),
        new VolumesFeature(new VolumeService(platform, options, orchestrator, quotas),
            new SnapshotService(platform, options, orchestrator, quotas)),
        new EdgeSettingsFeature(edgeSettings, idempotency));
  }

  public SwarmOrchestrator orchestrator() {
    return orchestrator;
  }

  public QuotaService quotas() {
    return quotas;
  }

  /** The one orchestration core PaaS processes run on too. */
  public ContainerDeployer deployer() {
    return deployer;
  }

  public ContainerReconciler reconciler() {
    return reconciler;
  }

  public EdgeReachability reachability() {
    return reachability;
  }

  public PolicyService policies() {
    return policies;
  }

  /** Custom domains of containers and environments alike. */
  public DomainService domains() {
    return domains;
  }

  /** Edge settings of containers and environments alike. */
  public EdgeSettingsService edgeSettings() {
    return edgeSettings;
  }

  /** Per-workload CPU/memory and edge figures, for containers and processes alike. */
  public WorkloadMetrics metrics() {
    return metrics;
  }

  public Idempotency idempotency() {
    return idempotency;
  }

  public void start() {
    reconciler.start(options.caas().reconcileInterval().toMillis());
    domainRechecker.start(options.caas().domainRecheck().toMillis());
    // a deleted organization has no workload left (the delete refuses otherwise): its networks go with it
    platform.events().subscribe(Topics.ORGANIZATION_DELETED, event -> {
      UUID organizationId = UUID.fromString(event.getString("organization_id"));
      orchestrator.removeOrganizationNetworks(organizationId).onFailure(err ->
          LOG.warn("the networks of deleted organization {} could not be removed: {}", organizationId, err.getMessage(), err));
    }).onFailure(err -> LOG.warn("cannot follow organization deletions (their networks stay until removed by hand)", err));
  }

  public void stop() {
    reconciler.stop();
    domainRechecker.stop();
    dns.close();
  }
}
