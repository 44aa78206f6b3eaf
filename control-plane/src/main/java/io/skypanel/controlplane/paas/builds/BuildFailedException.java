package io.skypanel.controlplane.paas.builds;

/** A build that did not produce an image, with a reason the customer can act on (shown on the build, sent to git). */
public class BuildFailedException extends RuntimeException {

  public BuildFailedException(String reason) {
    super(reason);
  }

  public BuildFailedException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
