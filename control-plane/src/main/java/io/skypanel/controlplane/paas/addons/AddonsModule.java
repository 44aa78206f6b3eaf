package io.skypanel.controlplane.paas.addons;

import io.skypanel.common.Platform;
import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Idempotency;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.paas.addons.backups.AddonBackups;
import io.skypanel.controlplane.paas.addons.engines.AddonEngines;
import io.skypanel.controlplane.paas.releases.ReleaseService;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.runtime.workloads.ContainerDeployer;
import io.skypanel.controlplane.runtime.workloads.ReconcileFailures;

import java.time.Duration;
import java.util.List;

/**
 * Wires the add-ons of one control plane: catalog, provisioning, attachments, rotation, removal (with its
 * {@link AddonRemovalHook}), the reconciler, and the deployer hook through which attached environments' tasks get
 * the add-ons' networks and credentials.
 */
public final class AddonsModule {

  private final AddonService addons;
  private final AddonAttachmentService attachments;
  private final AddonRotation rotation;
  private final AddonPlanService plans;
  private final AddonReconciler reconciler;
  private final AddonMetrics metrics;
  private final Idempotency idempotency;
  private final AddonBackups backups;
  private final Duration provisionTimeout;

  /**
   * @param hook          runs before a removal, after the final backup (backups plug theirs in here themselves)
   * @param backupOptions the add-on backups' store, schedule and timeout
   */
  public AddonsModule(Platform platform, Orchestrator orchestrator, ContainerDeployer deployer, ReleaseService releaseService,
                      AddonEngines engines, AddonRemovalHook hook, Idempotency idempotency, AddonSettings settings,
                      QuotaService quotas, ControlPlaneOptions.AddonBackups backupOptions) {
    this.idempotency = idempotency;
    this.provisionTimeout = settings.provisionTimeout();
    AddonRuntime runtime = new AddonRuntime(orchestrator, engines, platform.secrets(), settings);
    AddonReleases releases = new AddonReleases(releaseService);
    ReconcileFailures failures = new ReconcileFailures();
    AddonHelperTask helpers = new AddonHelperTask(platform.vertx(), orchestrator, settings.helperPoll());
    this.backups = new AddonBackups(platform, runtime, helpers, backupOptions);
    AddonRemovalHook finalBackup = backups.removalHook();
    AddonRemovalHook both = (addon, skip) -> finalBackup.beforeRemoval(addon, skip).compose(v -> hook.beforeRemoval(addon, skip));
    AddonRemoval removal = new AddonRemoval(platform.vertx(), platform.pool(), runtime, releases, both, failures, settings);
    this.addons = new AddonService(platform.pool(), runtime, releases, removal, quotas);
    this.attachments = new AddonAttachmentService(platform.pool(), addons, releases);
    this.rotation = new AddonRotation(platform.pool(), addons, runtime, releases, orchestrator,
        helpers, settings.rotationTimeout());
    this.plans = new AddonPlanService(platform.pool(), engines);
    this.reconciler = new AddonReconciler(platform.vertx(), platform.pool(), orchestrator, runtime, removal, failures, settings.provisionTimeout());
    this.metrics = new AddonMetrics(platform.pool(), addons, runtime, orchestrator, settings.metricsTimeout());
    deployer.attachments(new AddonEnvironmentAttachments(platform.pool(), runtime));
  }

  public List<ApiFeature> features() {
    return List.of(new AddonPlansFeature(plans), new AddonsFeature(addons, attachments, rotation, idempotency),
        backups.feature(addons, idempotency, provisionTimeout), new AddonMetricsFeature(metrics));
  }

  public void start(long intervalMs) {
    reconciler.start(intervalMs);
    backups.start();
  }

  public void stop() {
    reconciler.stop();
    backups.stop();
  }
}
