package io.skypanel.logs.support;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Bounded polling for state that converges asynchronously, like control-plane's helper; {@link #awaitFast}
 * re-checks every millisecond for waits whose duration is itself measured. The pause only paces the polling.
 */
public final class Eventually {

  private Eventually() {
  }

  public static <T> T await(String what, Duration timeout, Supplier<T> probe) {
    return poll(what, timeout, probe, 50);
  }

  public static <T> T awaitFast(String what, Duration timeout, Supplier<T> probe) {
    return poll(what, timeout, probe, 1);
  }

  private static <T> T poll(String what, Duration timeout, Supplier<T> probe, long pauseMs) {
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
        Thread.sleep(pauseMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what, last);
  }
}
