package io.skypanel.edge.acme;

import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;

import java.time.Instant;

/**
 * A failed order with the reason a person can act on (the CA's problem detail, e.g. "connection refused" from
 * its validator), and the earliest retry the CA asked for, if any.
 */
public final class AcmeFailure extends Exception {

  private final transient Instant retryAfter;

  AcmeFailure(String reason, Instant retryAfter) {
    super(reason);
    this.retryAfter = retryAfter;
  }

  public String reason() {
    return getMessage();
  }

  /** When the CA allows the next try, or null when it did not say. */
  public Instant retryAfter() {
    return retryAfter;
  }

  static AcmeFailure of(String what, Problem problem) {
    return new AcmeFailure(what + ": " + describe(problem), null);
  }

  /** Turns whatever acme4j threw into a reason; never includes key material (acme4j messages hold none). */
  static AcmeFailure of(Throwable error) {
    if (error instanceof AcmeFailure failure) {
      return failure;
    }
    if (error instanceof AcmeRateLimitedException limited) {
      return new AcmeFailure("rate limited by the CA: " + describe(limited.getProblem()), limited.getRetryAfter().orElse(null));
    }
    if (error instanceof AcmeServerException server) {
      return new AcmeFailure("refused by the CA: " + describe(server.getProblem()), null);
    }
    if (error instanceof AcmeNetworkException) {
      return new AcmeFailure("cannot reach the ACME server: " + rootMessage(error), null);
    }
    return new AcmeFailure(rootMessage(error), null);
  }

  static String describe(Problem problem) {
    if (problem == null) {
      return "no reason given";
    }
    StringBuilder text = new StringBuilder(problem.getDetail().or(problem::getTitle).orElse(problem.getType().toString()));
    for (Problem sub : problem.getSubProblems()) {
      text.append("; ").append(sub.getDetail().or(sub::getTitle).orElse(sub.getType().toString()));
    }
    return text.toString();
  }

  private static String rootMessage(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    return cause == error ? message : (error.getMessage() != null ? error.getMessage() + ": " : "") + message;
  }
}
