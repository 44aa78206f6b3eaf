package io.skypanel.controlplane.paas.builds;

import java.nio.file.Path;

/**
 * What a build starts from: the source tree as a gzipped tarball on the control plane's local disk (written by an
 * upload, a {@code git push} or a webhook's fetch; the build service deletes it when the build ends).
 *
 * @param tarball gzipped tar of the source tree (paths relative to the app's root)
 * @param origin  how it came: {@link Origin#UPLOAD}, {@link Origin#GIT_PUSH}, {@link Origin#WEBHOOK}
 * @param ref     the branch it came from (git push, webhook), or null
 * @param commit  the commit sha (git push, webhook), or null
 * @param options Dockerfile build args and target stage (uploads may ask for them; {@link BuildArgs#NONE} otherwise)
 */
public record BuildSource(Path tarball, Origin origin, String ref, String commit, BuildArgs options) {

  public BuildSource {
    options = options == null ? BuildArgs.NONE : options;
  }

  /** A source without build args or target (git push, webhooks). */
  public BuildSource(Path tarball, Origin origin, String ref, String commit) {
    this(tarball, origin, ref, commit, BuildArgs.NONE);
  }

  /** How a build's source reached the platform. */
  public enum Origin {
    UPLOAD, GIT_PUSH, WEBHOOK;

    public String label() {
      return name().toLowerCase();
    }
  }
}
