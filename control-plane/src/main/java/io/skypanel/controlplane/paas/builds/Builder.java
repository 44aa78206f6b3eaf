package io.skypanel.controlplane.paas.builds;

import io.vertx.core.Future;

import java.util.UUID;

/**
 * Turns a source tree into an image in the local engine. Implementations: the Dockerfile builder (through the
 * engine's build API) and the classic buildpack builder ({@code bin/detect}, {@code bin/compile}, {@code bin/release}
 * in a hardened builder container); a CNB lifecycle builder could be a third. Every engine call runs on the engine's
 * slow pool ({@code DockerEngine.callSlow}); the returned future completes on the caller's context.
 */
public interface Builder {

  /** {@code dockerfile}, {@code buildpacks}, ... */
  String name();

  /** Whether this builder takes the source (the Dockerfile builder: a {@code Dockerfile} at the root). */
  boolean accepts(BuildJob job);

  /** Builds the image tagged {@link BuildJob#imageTag()}; fails with {@link BuildFailedException} saying why. */
  Future<BuiltImage> build(BuildJob job, BuildLog log);

  /**
   * Stops the engine work of build {@code buildId} if this builder is running it (a cancel); its {@link #build}
   * future then fails. Must not block. By default there is nothing to stop.
   */
  default void cancel(UUID buildId) {
  }

  /**
   * Whether the build reads the deploy environment's config vars ({@link BuildJob#configVars()}: the buildpack
   * {@code ENV_DIR}). Only such builders get them opened; by default none.
   */
  default boolean readsConfigVars() {
    return false;
  }

  /** Removes what this builder keeps per app on the engine (the buildpack cache volume) once the app is deleted. */
  default Future<Void> appDeleted(UUID appId) {
    return Future.succeededFuture();
  }
}
