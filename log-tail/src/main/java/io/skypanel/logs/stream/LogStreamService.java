package io.skypanel.logs.stream;

import io.skypanel.logs.query.LogRequest;
import io.vertx.core.Future;

import java.util.List;

/**
 * Opens a viewer's stream: it joins the selector's shared upstream first (so nothing that arrives during the
 * backfill is missed), then reads the backfill. Only then does the caller answer the client (SSE headers or
 * the WebSocket upgrade), so a refused upstream (503) or a failed backfill (502) is still a plain JSON error.
 * With {@code follow=false} no upstream is joined. Runs on the hub's context.
 */
public final class LogStreamService {

  private final LogBackend backend;
  private final LogHub hub;
  private final int viewerBuffer;
  private final int maxLimit;

  public LogStreamService(LogBackend backend, LogHub hub, int viewerBuffer, int maxLimit) {
    this.backend = backend;
    this.hub = hub;
    this.viewerBuffer = viewerBuffer;
    this.maxLimit = maxLimit;
  }

  public Future<Session> open(LogSelector selector, LogRequest request) {
    Backfill range;
    long minNanos;
    if (request.resume() != null) {
      // a reconnecting client wants everything after its last id, up to the largest backfill
      range = new Backfill(request.resume().tsNanos(), maxLimit, false);
      minNanos = request.resume().tsNanos();
    } else if (request.sinceNanos() != null) {
      range = new Backfill(request.sinceNanos(), request.limit(), false);
      minNanos = request.sinceNanos();
    } else {
      range = new Backfill(0, request.limit(), true);
      minNanos = Long.MIN_VALUE;
    }
    Viewer viewer = new Viewer(viewerBuffer, minNanos, request.resume());
    if (request.follow()) {
      try {
        hub.join(selector, viewer);
      } catch (RuntimeException refused) {
        return Future.failedFuture(refused);
      }
    }
    return backend.backfill(selector, range)
        .map(entries -> new Session(selector, viewer, entries, !range.last() && range.limit() > 0 && entries.size() >= range.limit(),
            request.follow()))
        .onFailure(err -> {
          if (request.follow()) {
            hub.leave(selector, viewer);
          }
        });
  }

  /** Number of open upstreams and viewers, for metrics and tests. */
  public LogHub hub() {
    return hub;
  }

  /** A stream ready to be attached to its transport. */
  public final class Session {

    private final LogSelector selector;
    private final Viewer viewer;
    private final List<LogEntry> backfill;
    private final boolean truncated;
    private final boolean follow;

    Session(LogSelector selector, Viewer viewer, List<LogEntry> backfill, boolean truncated, boolean follow) {
      this.selector = selector;
      this.viewer = viewer;
      this.backfill = backfill;
      this.truncated = truncated;
      this.follow = follow;
    }

    /** Sends the backfill, then live lines until the client leaves (or the end, without follow). */
    public void start(ViewerSink sink) {
      sink.closeHandler(this::cancel);
      viewer.start(sink, backfill, truncated, follow);
    }

    /** The client is gone (or never arrived): leave the upstream. */
    public void cancel() {
      if (follow) {
        hub.leave(selector, viewer);
      } else {
        viewer.close();
      }
    }
  }
}
