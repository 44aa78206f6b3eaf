package io.skypanel.logs.stream;

import io.skypanel.common.errors.ApiException;
import io.vertx.core.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One upstream per selector, shared by all its viewers. The first viewer of a selector opens the upstream;
 * the last one to leave closes it. Each channel keeps its most recent lines so a viewer joining an existing
 * channel misses nothing between its backfill and the live feed. When the backend limits concurrent
 * upstreams (Loki's per-tenant tail limit), a viewer that would need one more is refused with 503 while
 * viewers of already-open selectors still join. Confined to one context.
 */
public final class LogHub {

  private static final Logger LOG = LoggerFactory.getLogger(LogHub.class);

  private final LogBackend backend;
  private final Context context;
  private final int recentLines;
  private final long startSlackNanos;
  private final Map<String, Channel> channels = new HashMap<>();

  /**
   * @param recentLines     lines each channel keeps for viewers that join later
   * @param startSlackNanos a new upstream starts this long before now, overlapping the joining viewer's backfill
   */
  public LogHub(LogBackend backend, Context context, int recentLines, long startSlackNanos) {
    this.backend = backend;
    this.context = context;
    this.recentLines = recentLines;
    this.startSlackNanos = startSlackNanos;
  }

  /** Adds {@code viewer} to the channel of {@code selector}, opening it if needed. */
  public void join(LogSelector selector, Viewer viewer) {
    Channel channel = channels.get(selector.key());
    if (channel == null) {
      int max = backend.maxUpstreams();
      if (max > 0 && channels.size() >= max) {
        throw ApiException.unavailable("logs_busy", "too many live log streams are open; try again shortly");
      }
      channel = new Channel(selector);
      channels.put(selector.key(), channel);
      channel.upstream = backend.follow(selector, System.currentTimeMillis() * 1_000_000L - startSlackNanos, context, channel);
    }
    channel.viewers.add(viewer);
    for (LogEntry entry : channel.recent) {
      viewer.offerLive(entry);
    }
  }

  /** Removes {@code viewer}; the channel's upstream closes with its last viewer. */
  public void leave(LogSelector selector, Viewer viewer) {
    viewer.close();
    Channel channel = channels.get(selector.key());
    if (channel != null && channel.viewers.remove(viewer) && channel.viewers.isEmpty()) {
      channels.remove(selector.key());
      channel.upstream.close();
      LOG.debug("closed the upstream of {}", selector.key());
    }
  }

  /** Open upstreams (what counts against the backend's limit). */
  public int upstreams() {
    return channels.size();
  }

  /** Viewers of all channels. */
  public int viewers() {
    return channels.values().stream().mapToInt(c -> c.viewers.size()).sum();
  }

  /** Sends keep-alives to every following viewer. */
  public void keepAlive() {
    channels.values().forEach(channel -> List.copyOf(channel.viewers).forEach(Viewer::keepAlive));
  }

  private final class Channel implements Upstream.Listener {

    private final LogSelector selector;
    private final Set<Viewer> viewers = new LinkedHashSet<>();
    private final ArrayDeque<LogEntry> recent = new ArrayDeque<>();
    private Upstream upstream;

    Channel(LogSelector selector) {
      this.selector = selector;
    }

    @Override
    public void entries(List<LogEntry> entries) {
      for (LogEntry entry : entries) {
        if (!selector.accepts(entry)) {
          continue;
        }
        recent.addLast(entry);
        if (recent.size() > recentLines) {
          recent.removeFirst();
        }
        for (Viewer viewer : viewers) {
          viewer.offerLive(entry);
        }
      }
    }

    @Override
    public void dropped(int count) {
      viewers.forEach(viewer -> viewer.upstreamDropped(count));
    }
  }
}
