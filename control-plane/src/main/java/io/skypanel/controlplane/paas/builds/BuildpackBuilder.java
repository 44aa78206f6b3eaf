package io.skypanel.controlplane.paas.builds;

import io.skypanel.controlplane.paas.builds.buildpacks.BuildpackCatalog;
import io.skypanel.controlplane.paas.builds.buildpacks.BuildpackPlan;
import io.skypanel.controlplane.paas.builds.buildpacks.BuildpackRun;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/**
 * Classic (Heroku) buildpacks: the app's stack and buildpacks come from the catalog ({@link BuildpackPlan}: the job's
 * or the app's pins, else the stack's detection order), and {@link BuildpackRun} runs {@code bin/detect},
 * {@code bin/compile} and {@code bin/release} in a hardened builder container of the stack's build image and layers
 * the result on its run image. It takes every source (the Dockerfile builder, tried first, takes those with a
 * Dockerfile); a source no buildpack detects fails the build saying what the buildpacks look for.
 *
 * <p>A Cloud Native Buildpacks builder would be another {@link Builder} beside this one ({@code name()}
 * {@code cnb}), chosen per stack: see docs/architecture.md.
 */
public final class BuildpackBuilder implements Builder {

  private final Pool pool;
  private final BuildpackCatalog catalog;
  private final BuildpackRun run;

  public BuildpackBuilder(Pool pool, BuildpackCatalog catalog, BuildpackRun run) {
    this.pool = pool;
    this.catalog = catalog;
    this.run = run;
  }

  @Override
  public String name() {
    return "buildpacks";
  }

  @Override
  public boolean accepts(BuildJob job) {
    return true;
  }

  /** {@code bin/compile BUILD_DIR CACHE_DIR ENV_DIR}: the environment's config vars, one file each. */
  @Override
  public boolean readsConfigVars() {
    return true;
  }

  /** The app's build cache volume goes with the app. */
  @Override
  public Future<Void> appDeleted(java.util.UUID appId) {
    return run.removeCache(appId);
  }

  @Override
  public Future<BuiltImage> build(BuildJob job, BuildLog log) {
    return BuildpackPlan.resolve(pool, catalog, job).compose(plan -> run.run(job, plan, log))
        // the customer sees a reason; the cause (an engine or database failure) stays attached for the build service's log
        .recover(err -> Future.failedFuture(err instanceof BuildFailedException
            ? err : new BuildFailedException("the buildpack build could not run on the platform; try again later", err)));
  }
}
