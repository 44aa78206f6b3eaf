package io.skypanel.common.errors;

import io.vertx.core.json.JsonArray;

/**
 * A failure of the platform's own rules (a quota, the image policy, a workload that cannot be built), thrown by
 * services and background code alike. It knows nothing of HTTP: it carries a {@link Kind} and a stable machine
 * code, and {@link FailureHandler} turns it into the API's error body once, where it reaches a request; background
 * code (the reconciler, release phases) records its message instead. No stack trace: an expected outcome.
 */
public class DomainException extends RuntimeException {

  /** What kind of refusal it is; decides the HTTP status when one reaches a request. */
  public enum Kind {
    INVALID(400), NOT_FOUND(404), CONFLICT(409), UNPROCESSABLE(422), UNAVAILABLE(503);

    private final int status;

    Kind(int status) {
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final Kind kind;
  private final String code;
  private final JsonArray details;

  public DomainException(Kind kind, String code, String message) {
    this(kind, code, message, null);
  }

  public DomainException(Kind kind, String code, String message, JsonArray details) {
    super(message, null, false, false);
    this.kind = kind;
    this.code = code;
    this.details = details;
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }

  public JsonArray details() {
    return details;
  }

  /** The API's error for this failure (status from the kind, same code and message). */
  public ApiException toApi() {
    return new ApiException(kind.status(), code, getMessage(), details);
  }
}
