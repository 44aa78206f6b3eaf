package io.skypanel.controlplane.caas.policies;

import io.skypanel.common.errors.DomainException;

/** The organization's image policy refuses the image (422 {@value PolicyService#VIOLATION} where it reaches a request). */
public final class ImageNotAllowed extends DomainException {

  public ImageNotAllowed(String violation) {
    super(Kind.UNPROCESSABLE, PolicyService.VIOLATION, "image policy: " + violation);
  }
}
