package io.skypanel.controlplane.caas.quotas;

import io.skypanel.common.errors.DomainException;
import io.vertx.core.json.JsonArray;

/** A change would take the organization past its plan's limits (422 {@code quota_exceeded} where it reaches a request). */
public final class QuotaExceeded extends DomainException {

  public QuotaExceeded(String message) {
    this(message, null);
  }

  /** @param details which field broke which limit, as the API's error details */
  public QuotaExceeded(String message, JsonArray details) {
    super(Kind.UNPROCESSABLE, "quota_exceeded", message, details);
  }
}
