package io.skypanel.logs.stream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Puts the lines of several independent follows (an environment's services) into one time order. Each follow
 * delivers its own lines in order, but the follows deliver independently, so a line of one service may arrive
 * after a later line of another. Viewers take a line older than the last one they sent for a repeat and skip it,
 * so merged lines must leave in time order: each line is held until it has waited {@code windowMs} (measured by
 * arrival, so the services' clocks need not agree with ours), and leaves together with every held line that sorts
 * before it. A line that arrives even later than that, older than a line already passed on, is passed on with the
 * newest timestamp passed so far instead of being lost. Confined to one context.
 */
public final class MergeBuffer {

  /** Beyond this many held lines everything leaves at once: a burst must not grow memory without bound. */
  static final int MAX_HELD = 10_000;

  private final long windowMs;
  private final PriorityQueue<Held> held = new PriorityQueue<>(
      Comparator.comparingLong((Held h) -> h.entry().tsNanos()).thenComparingLong(Held::order));
  private long order;
  private long lastNanos = Long.MIN_VALUE;
  private long late;

  public MergeBuffer(long windowMs) {
    this.windowMs = windowMs;
  }

  /** Lines of one follow, oldest first, arrived at {@code nowMs}. */
  public void add(List<LogEntry> entries, long nowMs) {
    for (LogEntry entry : entries) {
      held.add(new Held(entry, nowMs, order++));
    }
  }

  /** The lines that may leave at {@code nowMs}, in time order. */
  public List<LogEntry> drain(long nowMs) {
    long until = Long.MIN_VALUE;
    if (held.size() > MAX_HELD) {
      until = Long.MAX_VALUE;
    } else {
      for (Held h : held) {
        if (nowMs - h.arrivedMs() >= windowMs) {
          until = Math.max(until, h.entry().tsNanos());
        }
      }
    }
    List<LogEntry> out = new ArrayList<>();
    while (!held.isEmpty() && held.peek().entry().tsNanos() <= until) {
      LogEntry entry = held.poll().entry();
      if (entry.tsNanos() < lastNanos) {
        late++;
        entry = entry.withTsNanos(lastNanos);
      }
      lastNanos = entry.tsNanos();
      out.add(entry);
    }
    return out;
  }

  /** Lines held now. */
  public int size() {
    return held.size();
  }

  /** Lines that arrived after a newer line had left, so far (they left re-stamped). */
  public long late() {
    return late;
  }

  private record Held(LogEntry entry, long arrivedMs, long order) {
  }
}
