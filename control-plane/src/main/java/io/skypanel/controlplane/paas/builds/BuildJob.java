package io.skypanel.controlplane.paas.builds;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One build as a builder sees it: the unpacked source, where the result must be tagged, and the limits.
 *
 * @param buildId        the build's id
 * @param organizationId the owning organization (labels, hardening)
 * @param appId          the app (per-app build cache)
 * @param sourceDir      the unpacked source tree (the builder may read it; it must not write outside its own copies)
 * @param imageTag       the local tag the built image must carry ({@code <registry>/org-<org>/<app>:<build id>})
 * @param cacheFrom      the app's previous image (a cache source), or null
 * @param buildArgs      Dockerfile build args (not secret)
 * @param target         Dockerfile target stage, or null
 * @param buildpacks     buildpack slugs the app pins (empty: detect from the stack's list)
 * @param cpu            CPU limit of the build (from the plan)
 * @param memoryMb       memory limit of the build (from the plan)
 * @param timeout        the build fails when it takes longer
 * @param configVars     the deploy environment's config vars, opened for this build only (the buildpack
 *                       {@code ENV_DIR}); secret: never logged, never in {@link #toString()}
 */
public record BuildJob(UUID buildId, UUID organizationId, UUID appId, Path sourceDir, String imageTag, String cacheFrom,
                       Map<String, String> buildArgs, String target, List<String> buildpacks, double cpu, int memoryMb,
                       Duration timeout, Map<String, String> configVars) {

  public BuildJob {
    configVars = configVars == null ? Map.of() : Map.copyOf(configVars);
  }

  /** A job without config vars. */
  public BuildJob(UUID buildId, UUID organizationId, UUID appId, Path sourceDir, String imageTag, String cacheFrom,
                  Map<String, String> buildArgs, String target, List<String> buildpacks, double cpu, int memoryMb, Duration timeout) {
    this(buildId, organizationId, appId, sourceDir, imageTag, cacheFrom, buildArgs, target, buildpacks, cpu, memoryMb, timeout, Map.of());
  }

  /** The same job with the environment's config vars (opened for a builder that reads them). */
  public BuildJob withConfigVars(Map<String, String> vars) {
    return new BuildJob(buildId, organizationId, appId, sourceDir, imageTag, cacheFrom, buildArgs, target, buildpacks, cpu, memoryMb,
        timeout, vars);
  }

  /** Names only: config var values are secret. */
  @Override
  public String toString() {
    return "BuildJob[" + buildId + ", app " + appId + ", " + imageTag + ", config vars " + configVars.keySet() + "]";
  }
}
