package io.skypanel.edge.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Bounded polling for state that converges asynchronously (an order, a pub/sub reload). The pause between checks
 * only paces the polling; the deadline is what the test waits for.
 */
public final class Eventually {

  private Eventually() {
  }

  /** The first non-null value {@code probe} yields; fails with {@code what} at the deadline. */
  public static <T> T await(String what, Duration timeout, Callable<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        T value = probe.call();
        if (value != null) {
          return value;
        }
      } catch (Exception e) {
        last = e;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what, last);
  }
}
