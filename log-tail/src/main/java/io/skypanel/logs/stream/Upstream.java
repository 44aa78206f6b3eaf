package io.skypanel.logs.stream;

/** A live feed of one selector, opened by a {@link LogBackend}; it reconnects by itself until closed. */
public interface Upstream {

  /** Stops following; no listener call happens afterwards. */
  void close();

  /** Receives what an upstream produces, always on the hub's context. */
  interface Listener {

    /** New entries, oldest first, already free of duplicates across reconnects. */
    void entries(java.util.List<LogEntry> entries);

    /** The upstream itself lost {@code count} entries (Loki's {@code dropped_entries}). */
    void dropped(int count);
  }
}
