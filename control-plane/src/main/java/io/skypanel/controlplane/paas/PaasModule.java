package io.skypanel.controlplane.paas;

import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.common.buildlogs.BuildLogPublisher;
import io.skypanel.common.Platform;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.caas.CaasModule;
import io.skypanel.controlplane.paas.apps.AppBuildpackService;
import io.skypanel.controlplane.paas.apps.AppBuildpacksFeature;
import io.skypanel.controlplane.paas.apps.AppService;
import io.skypanel.controlplane.paas.apps.AppsFeature;
import io.skypanel.controlplane.paas.git.AppRepositories;
import io.skypanel.controlplane.paas.builds.BuildQueue;
import io.skypanel.controlplane.paas.builds.BuildRunner;
import io.skypanel.controlplane.paas.builds.BuildService;
import io.skypanel.controlplane.paas.builds.Builder;
import io.skypanel.controlplane.paas.builds.BuildsFeature;
import io.skypanel.controlplane.paas.builds.DockerfileBuilder;
import io.skypanel.controlplane.paas.builds.PlatformRegistryClient;
import io.skypanel.controlplane.paas.builds.SourceArchive;
import io.skypanel.controlplane.paas.builds.SourceBuilds;
import io.skypanel.controlplane.paas.builds.SourceUpload;
import io.skypanel.controlplane.paas.builds.BuildpackBuilder;
import io.skypanel.controlplane.paas.builds.buildpacks.BuildpackCatalog;
import io.skypanel.controlplane.paas.builds.buildpacks.BuildpackFiles;
import io.skypanel.controlplane.paas.builds.buildpacks.BuildpackRun;
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
import io.skypanel.controlplane.paas.releases.ReleasePromotion;
import io.skypanel.controlplane.paas.releases.ReleaseService;
import io.skypanel.controlplane.paas.releases.ReleasesFeature;
import io.skypanel.controlplane.paas.runs.RunService;
import io.skypanel.controlplane.paas.runs.RunSupervisor;
import io.skypanel.controlplane.paas.runs.RunsFeature;
import io.skypanel.controlplane.paas.tasks.OneOffTasks;
import io.skypanel.controlplane.paas.addons.AddonRemovalHook;
import io.skypanel.controlplane.paas.addons.AddonsModule;
import io.skypanel.controlplane.paas.addons.engines.AddonEngines;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Wires the PaaS of one control plane on the CaaS orchestration core: apps, environments and config vars, releases
 * (with their release phase), formation, one-off runs (and their supervisor), and the environments' edge features
 * (custom domains, edge settings, metrics) served by the containers' own services. Process workloads are converged by
 * the containers' reconciler. Source builds (upload, git push, webhooks) go through {@link BuildService}.
 */
public final class PaasModule {

  private static final Logger LOG = LoggerFactory.getLogger(PaasModule.class);
  /** The worker pool of build file work (unpacking sources, removing them). */
  public static final String BUILD_POOL = "skypanel-builds";

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
  private final BuildService builds;
  private final Path gitDir;
  private final SourceUpload upload;
  private final AppBuildpackService appBuildpacks;
  private final BuildpackBuilder buildpackBuilder;
  private final AddonsModule addons;

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
    // builds is assigned below; a deleted app's build cache and leftovers go once the app is marked deleted
    this.apps = new AppService(platform.pool(), environments, converge, caas.quotas(), this::removeBuildLeftovers);
    this.formation = new FormationService(platform.pool(), rollout, caas.quotas(), environments, converge);
    this.metrics = new EnvironmentMetrics(platform.pool(), environments, caas.metrics());
    this.janitor = new PaasJanitor(platform.vertx(), platform.pool(), releaseTimeout.toSeconds() + 300);
    this.runs = new RunService(platform.pool(), environments, rollout, caas.quotas(), tasks,
        options.paas().runTimeoutSeconds());
    this.runSupervisor = new RunSupervisor(platform.vertx(), platform.pool(), tasks,
        options.paas().runOutputBytes());
    this.runSweepMs = options.paas().runSweep().toMillis();
    ControlPlaneOptions.Builds buildOptions = options.builds();
    this.gitDir = options.sources().repositoryDir();
    WorkerExecutor buildWorkers = platform.vertx().createSharedWorkerExecutor(BUILD_POOL, 2);
    // in order: the first that accepts a source builds it (the Dockerfile builder when there is a Dockerfile);
    // the buildpack builder comes after it
    this.appBuildpacks = new AppBuildpackService(platform.pool());
    this.buildpackBuilder = new BuildpackBuilder(platform.pool(), new BuildpackCatalog(), new BuildpackRun(platform.vertx(), platform.docker(),
        new BuildpackFiles(options.buildpacks().directory()), options.buildpacks()));
    List<Builder> builders = List.of(new DockerfileBuilder(platform.vertx(), platform.docker(), buildOptions.network()), buildpackBuilder);
    BuildRunner runner = new BuildRunner(platform.pool(), buildWorkers, builders,
        new PlatformRegistryClient(platform.vertx(), platform.docker(), buildOptions.registry()), releases,
        new SourceArchive(buildOptions.unpackedLimitBytes(), buildOptions.maxEntries()), buildOptions.timeout(),
        new ConfigVars(platform.secrets()));
    this.builds = new BuildService(platform.pool(), buildWorkers, new BuildQueue(platform.vertx(), platform.pool(),
            new BuildQueue.Settings(buildOptions.orgConcurrency(), buildOptions.globalConcurrency(), buildOptions.lease(), buildOptions.heartbeat(),
                buildOptions.queuePoll())),
        runner, buildOptions.workDir(), buildOptions.logBytes(), defaultSize, buildOptions.registry().configured(),
        new BuildLogPublisher(platform.redis(), platform.redisPrefix(), buildOptions.logStreamLines(), buildOptions.logStreamRetain().toSeconds()));
    // add-ons (issue 12); their final backup runs inside AddonsModule before this extra removal hook
    this.addons = new AddonsModule(platform, caas.orchestrator(), caas.deployer(), releases, addonEngines(options), AddonRemovalHook.NONE,
        caas.idempotency(), options.addons(), caas.quotas(), options.addonBackups());
    this.upload = new SourceUpload(platform.vertx().fileSystem(), builds, buildOptions.uploadLimitBytes(), buildOptions.workDir().resolve("uploads"));
  }

  /** A deleted app's build cache volume, build leftovers and git repository go (failures are logged where they happen). */
  private void removeBuildLeftovers(UUID organizationId, UUID appId) {
    builds.appDeleted(organizationId, appId, List.of(AppRepositories.repository(gitDir, appId)));
  }

  /** The add-on engines offered (PostgreSQL, MySQL, Redis). */
  private static AddonEngines addonEngines(ControlPlaneOptions options) {
    return io.skypanel.controlplane.paas.addons.engines.AddonEngineFactory.create(options.addonImages());
  }

  /** The way source becomes a release, for git pushes and webhooks. */
  public SourceBuilds builds() {
    return builds;
  }

  public List<ApiFeature> features() {
    List<ApiFeature> features = new java.util.ArrayList<>(addons.features());
    features.addAll(List.of(
        new AppsFeature(apps, caas.idempotency()),
        new EnvironmentsFeature(environments, caas.idempotency()),
        new ReleasesFeature(releases, new ReleasePromotion(platform.pool(), releases), caas.idempotency()),
        new FormationFeature(formation, caas.idempotency()),
        new EnvironmentEdgeFeature(caas.domains(), caas.edgeSettings(), metrics, caas.idempotency()),
        new RunsFeature(runs, caas.idempotency()),
        new BuildsFeature(builds, upload, caas.idempotency()),
        new AppBuildpacksFeature(appBuildpacks, caas.idempotency())));
    return features;
  }

  /** Starts the background work; completes once builds a stopped control plane left unfinished are failed. */
  public Future<Void> start() {
    janitor.start(sweepMs);
    // release phases a stopped control plane left pending are read, watched or failed; never left pending
    phase.resumeAll();
    runSupervisor.start(runSweepMs);
    addons.start(sweepMs);
    // the durable build queue: builds whose worker stopped (lease expired) are failed with the reason, never left hanging
    return builds.start().onFailure(err -> LOG.error("starting the build queue failed", err));
  }

  public void stop() {
    janitor.stop();
    builds.stop();
    runSupervisor.stop();
    addons.stop();
  }
}
