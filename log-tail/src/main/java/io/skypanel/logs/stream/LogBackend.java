package io.skypanel.logs.stream;

import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.List;

/** Where log lines come from: Grafana Loki, or the Docker engine's own logs when no Loki is configured. */
public interface LogBackend {

  /** Past lines of {@code selector}, oldest first; {@code result.size() == limit} may mean more exist. */
  Future<List<LogEntry>> backfill(LogSelector selector, Backfill range);

  /**
   * Starts following {@code selector} from {@code startNanos}; the listener is called on {@code context}.
   * Entries may overlap what a viewer's backfill returned: viewers drop what they already sent.
   */
  Upstream follow(LogSelector selector, long startNanos, Context context, Upstream.Listener listener);

  /** How many upstreams may be open at once (Loki's per-tenant tail limit), or 0 for no limit. */
  int maxUpstreams();

  /** Releases clients. */
  void close();
}
