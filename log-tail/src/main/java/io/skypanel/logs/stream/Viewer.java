package io.skypanel.logs.stream;

import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One client of a log stream. Live entries wait in a bounded queue; when the client reads too slowly the
 * queue fills and further live entries are counted instead of queued, so the shared upstream and the other
 * viewers never wait for this one. Once the client catches up it is told how many it missed
 * ({@code {"type":"dropped","count":N}}). Backfill is never dropped (its size is bounded by the request's limit).
 *
 * <p>Every entry passes a cursor: anything at or before the last entry sent (same timestamp and line, or an
 * earlier timestamp) is a repeat from an overlapping source (backfill vs. live, the hub's replay of recent
 * lines, a resumed {@code Last-Event-ID}) and is skipped. Confined to the hub's context.
 */
public final class Viewer {

  private static final Object END = new Object();

  private final int capacity;
  private final long minNanos;
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private final List<LogEntry> pending = new ArrayList<>();
  private final Set<String> linesAtLast = new HashSet<>();
  private ViewerSink sink;
  private boolean started;
  private boolean draining;
  private boolean closed;
  private int queuedEntries;
  private long dropped;
  private long lastNanos = Long.MIN_VALUE;
  private int seq;
  private int skip;

  /**
   * @param capacity live entries that may wait for a slow client
   * @param minNanos entries older than this are never sent ({@code since})
   * @param resume   the client's {@code Last-Event-ID}, or null
   */
  public Viewer(int capacity, long minNanos, Cursor resume) {
    this.capacity = capacity;
    this.minNanos = minNanos;
    if (resume != null) {
      lastNanos = resume.tsNanos();
      seq = resume.seq();
      skip = resume.seq();
    }
  }

  /** A live entry from the hub; held back until {@link #start} has sent the backfill. */
  public void offerLive(LogEntry entry) {
    if (closed) {
      return;
    }
    if (!started) {
      if (pending.size() < capacity) {
        pending.add(entry);
      } else {
        dropped++;
      }
      return;
    }
    admit(entry, true);
    pump();
  }

  /** The upstream lost entries: the client learns it like its own drops. */
  public void upstreamDropped(int count) {
    if (closed || count <= 0) {
      return;
    }
    dropped += count;
    if (started) {
      pump();
    }
  }

  /**
   * Attaches the transport and sends the backfill, then (when following) everything that arrived meanwhile.
   *
   * @param truncated the backfill stopped at its limit: more lines exist before the live ones
   */
  public void start(ViewerSink sink, List<LogEntry> backfill, boolean truncated, boolean follow) {
    this.sink = sink;
    for (LogEntry entry : backfill) {
      admit(entry, false);
    }
    if (truncated) {
      queue.add(new JsonObject().put("type", "truncated").put("count", backfill.size()));
    }
    started = true;
    if (follow) {
      for (LogEntry entry : pending) {
        admit(entry, true);
      }
    } else {
      queue.add(END);
    }
    pending.clear();
    pump();
  }

  /** Sends a keep-alive unless lines are waiting anyway. */
  public void keepAlive() {
    if (started && !closed && queue.isEmpty() && !sink.writeQueueFull()) {
      sink.keepAlive();
    }
  }

  public void close() {
    closed = true;
    queue.clear();
    pending.clear();
  }

  public boolean closed() {
    return closed;
  }

  private void admit(LogEntry entry, boolean bounded) {
    if (entry.tsNanos() < minNanos || entry.tsNanos() < lastNanos) {
      return;
    }
    String key = entry.identity();
    if (entry.tsNanos() == lastNanos) {
      if (skip > 0) {
        // resumed from Last-Event-ID: the first lines at the cursor's timestamp were already delivered
        skip--;
        linesAtLast.add(key);
        return;
      }
      if (!linesAtLast.add(key)) {
        return;
      }
      seq++;
    } else {
      lastNanos = entry.tsNanos();
      linesAtLast.clear();
      linesAtLast.add(key);
      seq = 1;
      skip = 0;
    }
    if (bounded && queuedEntries >= capacity) {
      dropped++;
      return;
    }
    if (dropped > 0) {
      queue.add(droppedNotice());
    }
    queue.add(new Item(entry, new Cursor(lastNanos, seq).encode()));
    queuedEntries++;
  }

  private JsonObject droppedNotice() {
    JsonObject notice = new JsonObject().put("type", "dropped").put("count", dropped);
    dropped = 0;
    return notice;
  }

  private void pump() {
    if (closed || sink == null) {
      return;
    }
    while (!sink.writeQueueFull()) {
      Object next = queue.poll();
      if (next == null) {
        if (dropped > 0) {
          sink.notice(droppedNotice());
          continue;
        }
        return;
      }
      if (next instanceof Item item) {
        queuedEntries--;
        sink.entry(item.entry(), item.id());
      } else if (next instanceof JsonObject notice) {
        sink.notice(notice);
      } else {
        closed = true;
        sink.end();
        return;
      }
    }
    if (!draining) {
      draining = true;
      sink.drainHandler(() -> {
        draining = false;
        pump();
      });
    }
  }

  private record Item(LogEntry entry, String id) {
  }
}
