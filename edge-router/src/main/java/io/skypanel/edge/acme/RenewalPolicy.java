package io.skypanel.edge.acme;

import java.time.Duration;
import java.time.Instant;

/**
 * When a certificate is renewed and how long a failed order waits. Renewal is due once a third of the lifetime
 * is left ({@code now ≥ notBefore + ⅔·(notAfter − notBefore)}), which for 90-day certificates is 30 days before
 * expiry and leaves room for many retries. A failure waits {@code min(base·2^attempts, max)}, where attempts is
 * the number of failures before this one.
 */
public record RenewalPolicy(Duration backoffBase, Duration backoffMax) {

  public RenewalPolicy {
    if (backoffBase.isNegative() || backoffBase.isZero() || backoffMax.compareTo(backoffBase) < 0) {
      throw new IllegalArgumentException("the ACME backoff base must be positive and not above the maximum");
    }
  }

  public static Instant renewalAt(Instant notBefore, Instant notAfter) {
    long lifetimeMillis = Duration.between(notBefore, notAfter).toMillis();
    return notBefore.plusMillis(lifetimeMillis * 2 / 3);
  }

  public static boolean renewalDue(Instant notBefore, Instant notAfter, Instant now) {
    return !now.isBefore(renewalAt(notBefore, notAfter));
  }

  /**
   * Whether a domain in this state needs an order now: not while a backoff or deferral runs; a domain without a
   * certificate (none, pending, failed) yes; an issued one once its renewal point passed. A missing not_before
   * (rows older than V7) counts as a 90-day certificate.
   */
  public static boolean needsOrder(String status, Instant nextAttemptAt, Instant notBefore, Instant notAfter, Instant now) {
    if (nextAttemptAt != null && now.isBefore(nextAttemptAt)) {
      return false;
    }
    return switch (status) {
      case "none", "pending", "failed" -> true;
      case "issued", "renewing" -> notAfter != null
          && renewalDue(notBefore != null ? notBefore : notAfter.minus(Duration.ofDays(90)), notAfter, now);
      default -> false;
    };
  }

  /** The wait after a failure, given the failures recorded before it. */
  public Duration backoff(int previousAttempts) {
    Duration wait = backoffBase;
    for (int i = 0; i < previousAttempts; i++) {
      wait = wait.multipliedBy(2);
      if (wait.compareTo(backoffMax) >= 0) {
        return backoffMax;
      }
    }
    return wait;
  }

  public Instant nextAttempt(int previousAttempts, Instant now) {
    return now.plus(backoff(previousAttempts));
  }
}
