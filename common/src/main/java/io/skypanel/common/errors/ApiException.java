package io.skypanel.common.errors;

import io.vertx.core.json.JsonArray;

/**
 * A failure the client caused or must know about. It carries the HTTP status and a stable machine
 * code; {@link FailureHandler} turns it into the one error body the API uses everywhere. No stack trace
 * is filled in: these are expected outcomes, not bugs.
 */
public class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final JsonArray details;

  public ApiException(int status, String code, String message) {
    this(status, code, message, null);
  }

  public ApiException(int status, String code, String message, JsonArray details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonArray details() {
    return details;
  }

  public static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, message);
  }

  public static ApiException validation(String message, JsonArray details) {
    return new ApiException(400, "validation_failed", message, details);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, "unauthorized", message);
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, "forbidden", message);
  }

  /** Unknown and foreign resources look the same, so ids of other tenants leak nothing. */
  public static ApiException notFound(String what) {
    return new ApiException(404, "not_found", what + " not found");
  }

  public static ApiException conflict(String code, String message) {
    return new ApiException(409, code, message);
  }

  public static ApiException unprocessable(String code, String message) {
    return new ApiException(422, code, message);
  }

  public static ApiException tooManyRequests(String message) {
    return new ApiException(429, "rate_limited", message);
  }

  public static ApiException unavailable(String code, String message) {
    return new ApiException(503, code, message);
  }
}
