package io.skypanel.common.testing;

import java.time.Duration;

/**
 * Bounded polling for state that converges asynchronously (Swarm tasks, the reconciler, a certificate order,
 * a log line). It re-checks a condition until it yields a value or the deadline passes; the pause between checks
 * only paces the polling and is never what the test waits for. {@link #awaitFast} re-checks every millisecond
 * for waits whose duration is itself measured.
 */
public final class Eventually {

  /** A check that may throw; any exception counts as "not yet" and is reported if the deadline passes. */
  @FunctionalInterface
  public interface Probe<T> {
    T get() throws Exception;
  }

  private Eventually() {
  }

  /** Returns the first non-null value {@code probe} yields; fails with {@code what} at the deadline. */
  public static <T> T await(String what, Duration timeout, Probe<T> probe) {
    return poll(what, timeout, probe, 100);
  }

  /** Like {@link #await}, re-checking every millisecond. */
  public static <T> T awaitFast(String what, Duration timeout, Probe<T> probe) {
    return poll(what, timeout, probe, 1);
  }

  private static <T> T poll(String what, Duration timeout, Probe<T> probe, long pauseMs) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        T value = probe.get();
        if (value != null) {
          return value;
        }
      } catch (Exception e) {
        last = e;
      }
      try {
        Thread.sleep(pauseMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what, last);
  }
}
