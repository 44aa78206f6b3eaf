package io.skypanel.controlplane.paas;

import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.common.Platform;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.caas.CaasModule;
import io.skypanel.controlplane.paas.apps.AppService;
import io.skypanel.controlplane.paas.apps.AppsFeature;
import io.skypanel.controlplane.paas.environments.ConfigVars;
import io.skypanel.controlplane.paas.environments.EnvironmentEdgeFeature;
import io.skypanel.controlplane.paas.environments.EnvironmentMetrics;
import io.skypanel.controlplane.paas.environments.EnvironmentService;
import io.skypanel.controlplane.paas.environments.EnvironmentsFeature;
import io.skypanel.controlplane.paas.processes.FormationFeature;
import io.skypanel.controlplane.paas.processes.FormationService;
import io.skypanel.controlplane.paas.processes.ProcessRollout;
import io.skypanel.controlplane.paas.releases.ReleasePhase;
import io.skypanel.controlplane.paas.releases.ReleaseRollback;
import io.skypanel.controlplane.paas.releases.ReleaseService;
import io.skypanel.controlplane.paas.releases.ReleasesFeature;
import io.skypanel.controlplane.paas.runs.RunService;
import io.skypanel.controlplane.paas.runs.RunSupervisor;
import io.skypanel.controlplane.paas.runs.RunsFeature;
import io.skypanel.controlplane.paas.tasks.OneOffTasks;

import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.paas.builds.SourceBuilds;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Wires the PaaS of one control plane on the CaaS orchestration core: apps, environments and config vars, releases
 * (with their release phase), formation, one-off runs (and their supervisor), and the environments' edge features
 * (custom domains, edge settings, metrics) served by the containers' own services. Process workloads are converged by
 * the containers' reconciler.
 */
public final class PaasModule {

  private final Platform platform;
  private final CaasModule caas;
  private final AppService apps;
  private final EnvironmentService environments;
  private final ReleaseService releases;
  private final FormationService formation;
  private final EnvironmentMetrics metrics;
  private final PaasJanitor janitor;
  private final ReleasePhase phase;
  private final RunService runs;
  private final RunSupervisor runSupervisor;
  private final long sweepMs;
  private final long runSweepMs;

  public PaasModule(Platform platform, CaasModule caas, ControlPlaneOptions options) {
    this.platform = platform;
    this.caas = caas;
    Duration releaseTimeout = options.paas().releaseTimeout();
    this.sweepMs = options.caas().reconcileInterval().toMillis();
    String defaultSize = options.paas().defaultSize();
    Consumer<List<UUID>> converge = ids -> ids.forEach(caas.reconciler()::converge);
    ProcessRollout rollout = new ProcessRollout(caas.quotas(), defaultSize);
    OneOffTasks tasks = new OneOffTasks(caas.orchestrator(), platform.docker(), caas.deployer());
    this.phase = new ReleasePhase(platform.vertx(), platform.pool(), tasks, rollout, converge, releaseTimeout);
    // a process's update that Swarm rolled back fails its release and takes the whole environment back
    caas.reconciler().onProcessRollback(new ReleaseRollback(platform.pool(), rollout, converge));
    this.releases = new ReleaseService(platform.pool(), caas.policies(), rollout, phase, converge);
    this.environments = new EnvironmentService(platform.pool(), new ConfigVars(platform.secrets()), releases, rollout, caas.reachability(),
        converge, options.baseDomain(), caas.domains());
    this.apps = new AppService(platform.pool(), environments, converge, caas.quotas());
    this.formation = new FormationService(platform.pool(), rollout, caas.quotas(), environments, converge);
    this.metrics = new EnvironmentMetrics(platform.pool(), environments, caas.metrics());
    this.janitor = new PaasJanitor(platform.vertx(), platform.pool(), releaseTimeout.toSeconds() + 300);
    this.runs = new RunService(platform.pool(), environments, rollout, caas.quotas(), tasks,
        options.paas().runTimeoutSeconds());
    this.runSupervisor = new RunSupervisor(platform.vertx(), platform.pool(), tasks,
        options.paas().runOutputBytes());
    this.runSweepMs = options.paas().runSweep().toMillis();
  }

  /**
   * The way source becomes a release, for git pushes and webhooks. Until the build service is wired in, every build
   * is refused (503) rather than accepted and never run.
   */
  public SourceBuilds builds() {
    return (principal, org, appId, environmentId, source, listener) -> Future.failedFuture(
        ApiException.unavailable("builds_unavailable", "this control plane has no build service"));
  }

  public List<ApiFeature> features() {
    return List.of(
        new AppsFeature(apps, caas.idempotency()),
        new EnvironmentsFeature(environments, caas.idempotency()),
        new ReleasesFeature(releases, caas.idempotency()),
        new FormationFeature(formation, caas.idempotency()),
        new EnvironmentEdgeFeature(caas.domains(), caas.edgeSettings(), metrics, caas.idempotency()),
        new RunsFeature(runs, caas.idempotency()));
  }

  public void start() {
    janitor.start(sweepMs);
    // release phases a stopped control plane left pending are read, watched or failed; never left pending
    phase.resumeAll();
    runSupervisor.start(runSweepMs);
  }

  public void stop() {
    janitor.stop();
    runSupervisor.stop();
  }
}
