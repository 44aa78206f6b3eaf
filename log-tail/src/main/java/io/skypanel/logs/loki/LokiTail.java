package io.skypanel.logs.loki;

import io.skypanel.logs.LogsOptions;
import io.skypanel.logs.stream.LogEntry;
import io.skypanel.logs.stream.SeamFilter;
import io.skypanel.logs.stream.Upstream;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code /loki/api/v1/tail} WebSocket, kept open: when Loki closes it (1011 at its max tail duration, a
 * restart, a network fault) it reconnects after an exponential backoff, starting at the last timestamp it
 * passed on. Loki then re-sends the lines at that timestamp, which the {@link SeamFilter} drops, so viewers
 * see neither a gap nor a repeat across the seam. Confined to the hub's context.
 */
final class LokiTail implements Upstream {

  private static final Logger LOG = LoggerFactory.getLogger(LokiTail.class);
  /** A connection that stayed up this long was healthy: the next reconnect starts from the base delay again. */
  private static final long HEALTHY_MS = 5000;

  private final Vertx vertx;
  private final WebSocketClient client;
  private final LogsOptions options;
  private final String query;
  private final long startNanos;
  private final Context context;
  private final Listener listener;
  private final SeamFilter seam = new SeamFilter();
  private WebSocket socket;
  private boolean closed;
  private int attempts;
  private long connectedAt;

  LokiTail(Vertx vertx, WebSocketClient client, LogsOptions options, String query, long startNanos, Context context, Listener listener) {
    this.vertx = vertx;
    this.client = client;
    this.options = options;
    this.query = query;
    this.startNanos = startNanos;
    this.context = context;
    this.listener = listener;
  }

  void connect() {
    if (closed) {
      return;
    }
    String base = options.lokiUrl().getRawPath() == null ? "" : options.lokiUrl().getRawPath();
    int port = options.lokiUrl().getPort() > 0 ? options.lokiUrl().getPort() : "https".equals(options.lokiUrl().getScheme()) ? 443 : 80;
    WebSocketConnectOptions connect = new WebSocketConnectOptions()
        .setHost(options.lokiUrl().getHost())
        .setPort(port)
        .setSsl("https".equals(options.lokiUrl().getScheme()))
        .setURI(base + "/loki/api/v1/tail?query=" + LokiBackend.encode(query)
            + "&start=" + seam.lastNanos(startNanos)
            + "&delay_for=" + options.lokiDelayFor()
            + "&limit=" + options.lokiTailLimit());
    if (options.lokiTenant() != null) {
      connect.addHeader(LokiBackend.TENANT_HEADER, options.lokiTenant());
    }
    client.connect(connect).onComplete(result -> {
      if (result.failed()) {
        LOG.warn("Loki tail could not connect: {}", result.cause().getMessage());
        reconnectLater();
        return;
      }
      WebSocket ws = result.result();
      if (closed) {
        ws.close();
        return;
      }
      socket = ws;
      connectedAt = System.currentTimeMillis();
      ws.textMessageHandler(this::message);
      ws.exceptionHandler(err -> LOG.debug("Loki tail: {}", err.toString()));
      ws.closeHandler(v -> {
        if (socket != ws) {
          return;
        }
        socket = null;
        if (!closed) {
          // 1011 with "reached tail max duration limit" is routine; anything else is worth a line in the log
          LOG.info("Loki closed a tail ({} {}); resuming from {}", ws.closeStatusCode(), ws.closeReason(), seam.lastNanos(startNanos));
          if (System.currentTimeMillis() - connectedAt >= HEALTHY_MS) {
            attempts = 0;
          }
          reconnectLater();
        }
      });
    });
  }

  private void message(String text) {
    if (closed) {
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (RuntimeException e) {
      LOG.warn("Loki tail sent something that is not JSON; ignored");
      return;
    }
    List<LogEntry> fresh = new ArrayList<>();
    for (LogEntry entry : LokiStreams.entries(frame.getJsonArray("streams"))) {
      if (seam.admit(entry)) {
        fresh.add(entry);
      }
    }
    if (!fresh.isEmpty()) {
      listener.entries(fresh);
    }
    JsonArray dropped = frame.getJsonArray("dropped_entries");
    if (dropped != null && !dropped.isEmpty()) {
      listener.dropped(dropped.size());
    }
  }

  private void reconnectLater() {
    if (closed) {
      return;
    }
    long delay = Math.min(options.reconnectMaxMs(), options.reconnectBaseMs() << Math.min(attempts, 16));
    attempts++;
    vertx.setTimer(delay, id -> context.runOnContext(v -> connect()));
  }

  @Override
  public void close() {
    closed = true;
    if (socket != null) {
      WebSocket ws = socket;
      socket = null;
      ws.close();
    }
  }
}
