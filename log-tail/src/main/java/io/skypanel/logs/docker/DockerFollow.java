package io.skypanel.logs.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.logs.LogsOptions;
import io.skypanel.logs.stream.LogEntry;
import io.skypanel.logs.stream.LogSelector;
import io.skypanel.logs.stream.SeamFilter;
import io.skypanel.logs.stream.Upstream;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Follows a Swarm service's logs. The stream is opened through {@link DockerEngine#call}; docker-java then
 * delivers frames on its reader thread, which hands each batch to the hub's context. Backpressure: at most
 * {@link #IN_FLIGHT} batches may wait for the event loop; beyond that the reader thread blocks, so Docker's
 * stream (not memory) absorbs a burst. Slow viewers never block it: they drop lines in their own buffers.
 *
 * <p>The engine ends a follow when the service goes away, and the HTTP client ends a silent one at its response
 * timeout; either way it reopens after a backoff from the last timestamp passed (Docker's {@code since} is in
 * whole seconds, so the overlap is removed by the {@link SeamFilter}).
 */
final class DockerFollow implements Upstream {

  private static final Logger LOG = LoggerFactory.getLogger(DockerFollow.class);
  static final int IN_FLIGHT = 64;
  private static final long HEALTHY_MS = 5000;

  private final Vertx vertx;
  private final DockerEngine engine;
  private final DockerLogBackend backend;
  private final LogSelector selector;
  private final long startNanos;
  private final Context context;
  private final Listener listener;
  private final LogsOptions options;
  private final Semaphore permits = new Semaphore(IN_FLIGHT);
  /** Touched by one reader thread at a time (a new follow starts only after the previous one ended). */
  private final SeamFilter seam = new SeamFilter();
  private volatile boolean closed;
  private volatile ResultCallback.Adapter<Frame> current;
  private int attempts;

  DockerFollow(Vertx vertx, DockerEngine engine, DockerLogBackend backend, LogSelector selector, long startNanos, Context context,
               Listener listener, LogsOptions options) {
    this.vertx = vertx;
    this.engine = engine;
    this.backend = backend;
    this.selector = selector;
    this.startNanos = startNanos;
    this.context = context;
    this.listener = listener;
    this.options = options;
  }

  void open() {
    if (closed) {
      return;
    }
    long openedAt = System.currentTimeMillis();
    DockerLines lines = new DockerLines();
    ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        List<LogEntry> batch = new ArrayList<>();
        for (LogEntry entry : lines.accept(frame)) {
          if (selector.accepts(entry) && seam.admit(entry)) {
            batch.add(entry);
          }
        }
        if (!batch.isEmpty()) {
          hand(batch);
        }
      }

      @Override
      public void onError(Throwable error) {
        super.onError(error);
        ended(openedAt, error);
      }

      @Override
      public void onComplete() {
        super.onComplete();
        ended(openedAt, null);
      }
    };
    current = callback;
    int since = (int) Math.max(1, seam.lastNanos(startNanos) / 1_000_000_000L);
    engine.callSlow(docker -> backend.command(docker, selector).withFollow(true).withSince(since).exec(callback))
        .onFailure(err -> ended(openedAt, err));
  }

  /** On the reader thread: waits for room, then passes the batch to the hub's context. */
  private void hand(List<LogEntry> batch) {
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    context.runOnContext(v -> {
      try {
        if (!closed) {
          listener.entries(batch);
        }
      } finally {
        permits.release();
      }
    });
  }

  private void ended(long openedAt, Throwable error) {
    if (closed) {
      return;
    }
    context.runOnContext(v -> {
      if (closed) {
        return;
      }
      if (System.currentTimeMillis() - openedAt >= HEALTHY_MS) {
        attempts = 0;
      }
      long delay = Math.min(options.reconnectMaxMs(), options.reconnectBaseMs() << Math.min(attempts, 16));
      attempts++;
      if (error != null) {
        LOG.debug("Docker log follow of service {} ended ({}); reopening in {} ms", selector.swarmServiceId(), error.toString(), delay);
      }
      vertx.setTimer(delay, id -> context.runOnContext(x -> open()));
    });
  }

  @Override
  public void close() {
    closed = true;
    ResultCallback.Adapter<Frame> callback = current;
    if (callback != null) {
      DockerLogBackend.closeQuietly(callback);
    }
    permits.release(IN_FLIGHT); // a reader blocked on a full hand-off must not stay blocked
  }
}
