package io.skypanel.logs.stream;

import java.util.HashSet;
import java.util.Set;

/**
 * Drops entries already passed on when a follow resumes from the last timestamp it saw: anything older than
 * that timestamp, and entries at exactly that timestamp whose stream and line were already passed. Backends
 * resume inclusively from {@link #lastNanos()} so nothing at the seam is lost, and this removes the repeats.
 */
public final class SeamFilter {

  private long lastNanos = Long.MIN_VALUE;
  private final Set<String> linesAtLast = new HashSet<>();

  /** True when {@code entry} is new; it is then remembered. */
  public boolean admit(LogEntry entry) {
    if (entry.tsNanos() < lastNanos) {
      return false;
    }
    String key = entry.identity();
    if (entry.tsNanos() == lastNanos) {
      return linesAtLast.add(key);
    }
    lastNanos = entry.tsNanos();
    linesAtLast.clear();
    linesAtLast.add(key);
    return true;
  }

  /** The newest timestamp passed so far, or {@code fallback} when nothing has passed yet. */
  public long lastNanos(long fallback) {
    return lastNanos == Long.MIN_VALUE ? fallback : lastNanos;
  }

  public long lastNanos() {
    return lastNanos;
  }
}
