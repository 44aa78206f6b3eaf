package io.skypanel.logs.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.LogSwarmObjectCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Service;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.Labels;
import io.skypanel.common.errors.ApiException;
import io.skypanel.logs.LogsOptions;
import io.skypanel.logs.stream.Backfill;
import io.skypanel.logs.stream.LogBackend;
import io.skypanel.logs.stream.LogEntry;
import io.skypanel.logs.stream.LogSelector;
import io.skypanel.logs.stream.Upstream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Logs from the Docker engine when no Loki is configured: the Swarm service's own logs ({@code logServiceCmd},
 * stdout and stderr de-multiplexed, with timestamps). Every docker-java call goes through
 * {@link DockerEngine#callSlow}, the pool of slow and streaming calls (a backfill waits on a finite stream for up
 * to seconds and must not hold a worker the control plane's short calls need); a follow streams on docker-java's
 * reader thread ({@link DockerFollow}). An environment is every service carrying its labels: the backfill reads each
 * and merges them, the follow tails each and merges them in time order ({@link MergedFollow}).
 */
public final class DockerLogBackend implements LogBackend {

  private static final Logger LOG = LoggerFactory.getLogger(DockerLogBackend.class);
  /** A finished service's logs come back in well under this; a stuck engine must not hold a worker forever. */
  private static final long BACKFILL_TIMEOUT_S = 60;

  private final Vertx vertx;
  private final DockerEngine engine;
  private final LogsOptions options;

  public DockerLogBackend(Vertx vertx, DockerEngine engine, LogsOptions options) {
    this.vertx = vertx;
    this.engine = engine;
    this.options = options;
  }

  @Override
  public Future<List<LogEntry>> backfill(LogSelector selector, Backfill range) {
    if (range.limit() <= 0 || (selector.swarmServiceId() == null && !selector.manyServices())) {
      return Future.succeededFuture(List.of());
    }
    String what = selector.manyServices() ? "services " + selector.serviceLabels() : "service " + selector.swarmServiceId();
    return engine.<List<LogEntry>>callSlow(docker -> selector.manyServices() ? readAll(docker, selector, range) : read(docker, selector, range)).recover(err -> {
      if (err instanceof NotFoundException) {
        return Future.succeededFuture(List.of()); // removed out of band: nothing to show
      }
      LOG.warn("Docker logs of {} failed: {}", what, err.toString());
      return Future.failedFuture(new ApiException(502, "logs_unavailable", "the container engine could not return logs; try again later"));
    });
  }

  /**
   * Runs on the Docker worker pool: the backfill of every service carrying the selector's labels, each line named
   * by its service's process, merged in time order and cut to the range's limit like one service's would be.
   */
  private List<LogEntry> readAll(DockerClient docker, LogSelector selector, Backfill range) throws InterruptedException {
    List<LogEntry> merged = new ArrayList<>();
    for (Labelled service : services(docker, selector)) {
      try {
        for (LogEntry entry : read(docker, selector.forService(service.id()), range)) {
          merged.add(entry.withProcess(service.process()));
        }
      } catch (NotFoundException gone) {
        LOG.debug("service {} went away while its logs were read", service.id()); // a finished release phase or run
      }
    }
    merged.sort(Comparator.comparingLong(LogEntry::tsNanos)); // stable: each service's own order is kept
    if (merged.size() <= range.limit()) {
      return merged;
    }
    return new ArrayList<>(range.last() ? merged.subList(merged.size() - range.limit(), merged.size()) : merged.subList(0, range.limit()));
  }

  /**
   * Runs on the Docker worker pool: the services carrying every one of the selector's Swarm labels (the engine
   * filters; the labels are checked again here so that the organization pin never rests on the filter alone).
   */
  List<Labelled> services(DockerClient docker, LogSelector selector) {
    List<Labelled> found = new ArrayList<>();
    for (Service service : docker.listServicesCmd().withLabelFilter(selector.serviceLabels()).exec()) {
      Map<String, String> labels = service.getSpec() == null || service.getSpec().getLabels() == null ? Map.of() : service.getSpec().getLabels();
      if (labels.entrySet().containsAll(selector.serviceLabels().entrySet())) {
        found.add(new Labelled(service.getId(), labels.get(Labels.PROCESS)));
      }
    }
    return found;
  }

  /** A service of a many-service resource and the process it runs (its {@code skypanel.process} label, or null). */
  record Labelled(String id, String process) {
  }

  /** Runs on the Docker worker pool: reads a finished (non-follow) log stream, keeping at most {@code limit} lines. */
  private List<LogEntry> read(DockerClient docker, LogSelector selector, Backfill range) throws InterruptedException {
    LogSwarmObjectCmd cmd = command(docker, selector).withFollow(false);
    if (range.last() && selector.filter() == null) {
      cmd.withTail(range.limit());
    } else if (!range.last() && range.fromNanos() > 0) {
      cmd.withSince((int) Math.min(Integer.MAX_VALUE, range.fromNanos() / 1_000_000_000L));
    }
    ArrayDeque<LogEntry> kept = new ArrayDeque<>();
    DockerLines lines = new DockerLines();
    ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        for (LogEntry entry : lines.accept(frame)) {
          if (!selector.accepts(entry) || (!range.last() && entry.tsNanos() < range.fromNanos())) {
            continue;
          }
          if (range.last()) {
            kept.addLast(entry);
            if (kept.size() > range.limit()) {
              kept.removeFirst(); // the newest lines win
            }
          } else if (kept.size() < range.limit()) {
            kept.addLast(entry);
          } else {
            closeQuietly(this); // the first lines after since are all we need
            return;
          }
        }
      }
    };
    cmd.exec(callback);
    if (!callback.awaitCompletion(BACKFILL_TIMEOUT_S, TimeUnit.SECONDS)) {
      closeQuietly(callback);
    }
    return new ArrayList<>(kept);
  }

  LogSwarmObjectCmd command(DockerClient docker, LogSelector selector) {
    return docker.logServiceCmd(selector.swarmServiceId())
        .withTimestamps(true)
        .withDetails(false)
        .withStdout(selector.stream().stdout())
        .withStderr(selector.stream().stderr());
  }

  @Override
  public Upstream follow(LogSelector selector, long startNanos, Context context, Upstream.Listener listener) {
    if (selector.manyServices()) {
      MergedFollow merged = new MergedFollow(vertx, engine, this, selector, startNanos, context, listener, options);
      merged.open();
      return merged;
    }
    if (selector.swarmServiceId() == null) {
      return () -> { }; // nothing runs (yet): viewers get keep-alives only
    }
    DockerFollow follow = new DockerFollow(vertx, engine, this, selector, startNanos, context, listener, options);
    follow.open();
    return follow;
  }

  @Override
  public int maxUpstreams() {
    return 0;
  }

  @Override
  public void close() {
    // the engine belongs to the platform
  }

  static void closeQuietly(java.io.Closeable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // already closed
    }
  }
}
