package io.skypanel.logs.loki;

import io.skypanel.common.errors.ApiException;
import io.skypanel.logs.LogsOptions;
import io.skypanel.logs.query.LogQl;
import io.skypanel.logs.stream.Backfill;
import io.skypanel.logs.stream.LogBackend;
import io.skypanel.logs.stream.LogEntry;
import io.skypanel.logs.stream.LogSelector;
import io.skypanel.logs.stream.Upstream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Logs from Grafana Loki: backfill through {@code GET /loki/api/v1/query_range}, live lines through the
 * {@code /loki/api/v1/tail} WebSocket ({@link LokiTail}). Every request carries {@code X-Scope-OrgID} when a
 * tenant is configured. Loki answers errors with a plain-text body; it is logged, never shown to customers.
 */
public final class LokiBackend implements LogBackend {

  private static final Logger LOG = LoggerFactory.getLogger(LokiBackend.class);
  static final String TENANT_HEADER = "X-Scope-OrgID";

  private final Vertx vertx;
  private final LogsOptions options;
  private final HttpClient http;
  private final WebSocketClient websockets;

  public LokiBackend(Vertx vertx, LogsOptions options) {
    this.vertx = vertx;
    this.options = options;
    boolean tls = "https".equals(options.lokiUrl().getScheme());
    this.http = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setConnectTimeout(5000).setIdleTimeout(60));
    this.websockets = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(tls).setConnectTimeout(5000)
        .setMaxMessageSize(16 * 1024 * 1024).setMaxFrameSize(1024 * 1024));
  }

  @Override
  public Future<List<LogEntry>> backfill(LogSelector selector, Backfill range) {
    if (range.limit() <= 0) {
      return Future.succeededFuture(List.of());
    }
    long now = System.currentTimeMillis() * 1_000_000L;
    long oldest = now - options.lokiMaxLookbackS() * 1_000_000_000L;
    long start = range.last() ? oldest : Math.max(range.fromNanos(), oldest);
    String uri = path("/loki/api/v1/query_range")
        + "?query=" + encode(LogQl.query(selector))
        + "&limit=" + range.limit()
        + "&direction=" + (range.last() ? "backward" : "forward")
        + "&start=" + start
        + "&end=" + (now + 1);
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET)
        .setHost(options.lokiUrl().getHost()).setPort(port()).setURI(uri).setTimeout(30_000);
    if (options.lokiTenant() != null) {
      request.putHeader(TENANT_HEADER, options.lokiTenant());
    }
    return http.request(request)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> {
          if (resp.statusCode() != 200) {
            LOG.warn("Loki query_range answered {}: {}", resp.statusCode(), body.toString().strip());
            throw new ApiException(502, "logs_unavailable", "the log store could not answer; try again later");
          }
          JsonObject json = body.toJsonObject();
          List<LogEntry> entries = new ArrayList<>(LokiStreams.entries(json.getJsonObject("data", new JsonObject()).getJsonArray("result")));
          if (range.last() && entries.size() > range.limit()) {
            // backward answers hold the newest lines; keep those, oldest first
            entries = entries.subList(entries.size() - range.limit(), entries.size());
          }
          return Collections.unmodifiableList(entries);
        }), err -> {
          if (err instanceof ApiException) {
            return Future.failedFuture(err);
          }
          LOG.warn("Loki at {} is unreachable: {}", options.lokiUrl(), err.toString());
          return Future.failedFuture(new ApiException(502, "logs_unavailable", "the log store could not answer; try again later"));
        });
  }

  @Override
  public Upstream follow(LogSelector selector, long startNanos, Context context, Upstream.Listener listener) {
    LokiTail tail = new LokiTail(vertx, websockets, options, LogQl.query(selector), startNanos, context, listener);
    context.runOnContext(v -> tail.connect());
    return tail;
  }

  @Override
  public int maxUpstreams() {
    return options.lokiMaxTails();
  }

  @Override
  public void close() {
    http.close();
    websockets.close();
  }

  String path(String endpoint) {
    String base = options.lokiUrl().getRawPath();
    return (base == null ? "" : base) + endpoint;
  }

  int port() {
    int port = options.lokiUrl().getPort();
    return port > 0 ? port : "https".equals(options.lokiUrl().getScheme()) ? 443 : 80;
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
