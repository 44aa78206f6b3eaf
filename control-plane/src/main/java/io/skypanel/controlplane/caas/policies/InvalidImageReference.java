package io.skypanel.controlplane.caas.policies;

import io.skypanel.common.errors.DomainException;

/** The text is not an image reference (400 {@code invalid_image_reference} where it reaches a request). */
public final class InvalidImageReference extends DomainException {

  public InvalidImageReference(String message) {
    super(Kind.INVALID, "invalid_image_reference", message);
  }
}
