package io.skypanel.common.errors;

/** A 429 that also tells the client when to come back ({@code Retry-After}). */
public final class RateLimitedException extends ApiException {

  private final long retryAfterSeconds;

  public RateLimitedException(String message, long retryAfterSeconds) {
    super(429, "rate_limited", message);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
