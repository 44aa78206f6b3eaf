package io.skypanel.logs.docker;

import io.skypanel.common.docker.DockerEngine;
import io.skypanel.logs.LogsOptions;
import io.skypanel.logs.stream.LogEntry;
import io.skypanel.logs.stream.LogSelector;
import io.skypanel.logs.stream.MergeBuffer;
import io.skypanel.logs.stream.Upstream;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Follows every Swarm service carrying a selector's labels (an environment's processes, its release phase while it
 * runs, its one-off runs) as one upstream. It lists the services every {@code discoveryMs}: a new one gets its own
 * {@link DockerFollow} from the upstream's start (so a release phase found a moment late still shows its first
 * lines), a removed one's follow is closed. Each line is named by its service's {@code skypanel.process} label, and
 * the follows' lines pass through a {@link MergeBuffer} so the merged stream stays in time order. Confined to the
 * hub's context; the listing runs on the Docker worker pool.
 */
final class MergedFollow implements Upstream {

  private static final Logger LOG = LoggerFactory.getLogger(MergedFollow.class);

  private final Vertx vertx;
  private final DockerEngine engine;
  private final DockerLogBackend backend;
  private final LogSelector selector;
  private final long startNanos;
  private final Context context;
  private final Listener listener;
  private final LogsOptions options;
  private final MergeBuffer merge;
  private final Map<String, DockerFollow> follows = new HashMap<>();
  private boolean closed;
  private boolean listing;
  private boolean listingFailed;
  private long discoveryTimer = -1;
  private long flushTimer = -1;

  MergedFollow(Vertx vertx, DockerEngine engine, DockerLogBackend backend, LogSelector selector, long startNanos, Context context,
               Listener listener, LogsOptions options) {
    this.vertx = vertx;
    this.engine = engine;
    this.backend = backend;
    this.selector = selector;
    this.startNanos = startNanos;
    this.context = context;
    this.listener = listener;
    this.options = options;
    this.merge = new MergeBuffer(options.mergeWindowMs());
  }

  /** Called on the hub's context: the timers then fire there too. */
  void open() {
    discover();
    discoveryTimer = vertx.setPeriodic(options.discoveryMs(), id -> discover());
    flushTimer = vertx.setPeriodic(Math.max(10, options.mergeWindowMs() / 4), id -> flush());
  }

  private void discover() {
    if (closed || listing) {
      return;
    }
    listing = true;
    engine.call(docker -> backend.services(docker, selector)).onComplete(result -> {
      listing = false;
      if (closed) {
        return;
      }
      if (result.failed()) {
        // the engine may be restarting: say so once, keep the follows that run, and try again on the next tick
        if (!listingFailed) {
          LOG.warn("listing the services of {} failed; retrying every {} ms: {}", selector.serviceLabels(), options.discoveryMs(),
              result.cause().toString());
        }
        listingFailed = true;
        return;
      }
      if (listingFailed) {
        LOG.info("listing the services of {} works again", selector.serviceLabels());
        listingFailed = false;
      }
      update(result.result());
    });
  }

  private void update(List<DockerLogBackend.Labelled> services) {
    Set<String> current = new HashSet<>();
    for (DockerLogBackend.Labelled service : services) {
      current.add(service.id());
      if (!follows.containsKey(service.id())) {
        DockerFollow follow = new DockerFollow(vertx, engine, backend, selector.forService(service.id()), startNanos, context,
            new Named(service.process()), options);
        follows.put(service.id(), follow);
        follow.open();
      }
    }
    follows.entrySet().removeIf(entry -> {
      if (current.contains(entry.getKey())) {
        return false;
      }
      entry.getValue().close(); // removed: a finished release phase or run, a process scaled away or deleted
      return true;
    });
  }

  private void flush() {
    if (closed) {
      return;
    }
    List<LogEntry> ready = merge.drain(System.currentTimeMillis());
    if (!ready.isEmpty()) {
      listener.entries(ready);
    }
  }

  @Override
  public void close() {
    closed = true;
    vertx.cancelTimer(discoveryTimer);
    vertx.cancelTimer(flushTimer);
    follows.values().forEach(DockerFollow::close);
    follows.clear();
  }

  /** One service's lines into the merge, named by its process. */
  private final class Named implements Listener {

    private final String process;

    Named(String process) {
      this.process = process;
    }

    @Override
    public void entries(List<LogEntry> entries) {
      if (closed) {
        return;
      }
      merge.add(entries.stream().map(entry -> entry.withProcess(process)).toList(), System.currentTimeMillis());
    }

    @Override
    public void dropped(int count) {
      listener.dropped(count);
    }
  }
}
