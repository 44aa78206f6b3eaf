package io.skypanel.common.web;

/** Names of the HTTP headers the platform reads or writes; defined once for every service. */
public final class Headers {

  /** The organization a request acts in (a member's organization id); absent means the caller's personal one. */
  public static final String ORGANIZATION = "X-Organization-Id";
  /** A client's key that makes a mutating request safe to retry (the first answer is replayed). */
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  /** The request's id, taken from a trusted client or minted, echoed in answers and logs. */
  public static final String REQUEST_ID = "X-Request-Id";
  /** The client address chain added by proxies; believed only from trusted proxies. */
  public static final String FORWARDED_FOR = "X-Forwarded-For";
  public static final String FORWARDED_PROTO = "X-Forwarded-Proto";
  public static final String FORWARDED_HOST = "X-Forwarded-Host";

  private Headers() {
  }
}
