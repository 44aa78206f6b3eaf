package io.skypanel.controlplane.support;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Bounded polling for state that converges asynchronously (Swarm tasks, the reconciler). It re-checks a
 * condition until it holds or the deadline passes; the pause between checks only paces the polling and is
 * never what the test waits for.
 */
public final class Eventually {

  private Eventually() {
  }

  /** Returns the first non-null value {@code probe} yields; fails with {@code what} at the deadline. */
  public static <T> T await(String what, Duration timeout, Supplier<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        T value = probe.get();
        if (value != null) {
          return value;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what, last);
  }
}
