package io.skypanel.logs.support;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Loki stand-in speaking Loki's documented HTTP API (docs/sources/reference/loki-http-api.md) on loopback:
 *
 * <ul>
 *   <li>{@code GET /loki/api/v1/query_range}: {@code query}, {@code limit} (default 100), {@code direction}
 *       (default backward), {@code start} (inclusive) / {@code end} (exclusive) in ns; answers
 *       {@code {"status":"success","data":{"resultType":"streams","result":[...]}}}, a bad query 400 with a
 *       plain-text body;</li>
 *   <li>{@code GET /loki/api/v1/tail} (WebSocket): {@code query}, {@code start}, {@code delay_for} (at most 5),
 *       {@code limit}; the look-back from {@code start} is the newest {@code limit} entries (Loki queries it
 *       backward), then live entries, in frames {@code {"streams":[...],"dropped_entries":null}}. Like Loki's
 *       querier, the per-tenant tail limit is checked after the upgrade and refused with close code 1011 and
 *       "max concurrent tail requests limit exceeded, count > limit (N > L)"; a tail older than the max tail
 *       duration is closed with 1011 too;</li>
 *   <li>multi-tenant: every request needs {@code X-Scope-OrgID} (401 "no org id" otherwise).</li>
 * </ul>
 *
 * Queries are parsed by {@link LogQlParser}: exact matchers and {@code |=} filters only. Every query received is
 * recorded so tests can assert exactly what the service sent.
 */
public final class LokiTestServer {

  public static final String TENANT_HEADER = "X-Scope-OrgID";

  private final Vertx vertx;
  private final int maxTailsPerTenant;
  private volatile Duration maxTailDuration;
  private final List<Stored> entries = new ArrayList<>();
  private final Map<String, List<Tail>> tailsByTenant = new HashMap<>();
  private final List<String> queries = new CopyOnWriteArrayList<>();
  private final AtomicInteger tailsOpened = new AtomicInteger();
  private final AtomicInteger tailsRefused = new AtomicInteger();
  private HttpServer server;
  private Context context;

  private record Stored(Map<String, String> labels, long ts, String line) {
  }

  private record Tail(ServerWebSocket socket, LogQlParser.Query query, String tenant) {
  }

  public LokiTestServer(Vertx vertx, int maxTailsPerTenant, Duration maxTailDuration) {
    this.vertx = vertx;
    this.maxTailsPerTenant = maxTailsPerTenant;
    this.maxTailDuration = maxTailDuration;
  }

  public Future<LokiTestServer> start() {
    context = vertx.getOrCreateContext();
    return Future.<HttpServer>future(promise -> context.runOnContext(v -> vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(this::handle).listen().onComplete(promise)))
        .map(s -> {
          server = s;
          return this;
        });
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** Every query string received, by query_range and tail alike, in arrival order. */
  public List<String> queries() {
    return List.copyOf(queries);
  }

  public int tailsOpened() {
    return tailsOpened.get();
  }

  public int tailsRefused() {
    return tailsRefused.get();
  }

  /** Tails currently open for {@code tenant}. */
  public int openTails(String tenant) {
    return onContext(() -> tailsByTenant.getOrDefault(tenant, List.of()).size());
  }

  /** Applies to tails opened from now on. */
  public void maxTailDuration(Duration duration) {
    this.maxTailDuration = duration;
  }

  /** One pushed line. */
  public record Line(long tsNanos, String text) {
  }

  /** Stores lines (as one push) and sends them to every matching open tail. */
  public void push(Map<String, String> labels, List<Line> lines) {
    onContext(() -> {
      List<Stored> pushed = new ArrayList<>();
      for (Line line : lines) {
        Stored stored = new Stored(Map.copyOf(labels), line.tsNanos(), line.text());
        entries.add(stored);
        pushed.add(stored);
      }
      for (List<Tail> tails : tailsByTenant.values()) {
        for (Tail tail : tails) {
          List<Stored> matching = pushed.stream().filter(s -> tail.query().matches(s.labels()) && tail.query().accepts(s.line())).toList();
          if (!matching.isEmpty()) {
            tail.socket().writeTextMessage(frame(matching).encode());
          }
        }
      }
      return null;
    });
  }

  /** One entry. */
  public void push(Map<String, String> labels, long tsNanos, String line) {
    push(labels, List.of(new Line(tsNanos, line)));
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest request) {
    String tenant = request.getHeader(TENANT_HEADER);
    if (tenant == null || tenant.isBlank()) {
      plain(request, 401, "no org id");
      return;
    }
    String query = request.getParam("query");
    queries.add(query == null ? "" : query);
    LogQlParser.Query parsed;
    try {
      parsed = LogQlParser.parse(query);
    } catch (LogQlParser.ParseError e) {
      plain(request, 400, e.getMessage());
      return;
    }
    try {
      switch (request.path()) {
        case "/loki/api/v1/query_range" -> queryRange(request, parsed);
        case "/loki/api/v1/tail" -> tail(request, parsed, tenant);
        default -> plain(request, 404, "404 page not found");
      }
    } catch (NumberFormatException e) {
      plain(request, 400, "invalid parameter: " + e.getMessage());
    }
  }

  private void queryRange(HttpServerRequest request, LogQlParser.Query query) {
    long now = System.currentTimeMillis() * 1_000_000L;
    int limit = intParam(request, "limit", 100);
    long start = longParam(request, "start", now - 3_600_000_000_000L);
    long end = longParam(request, "end", now);
    String direction = request.getParam("direction", "backward");
    if (!direction.equals("forward") && !direction.equals("backward")) {
      plain(request, 400, "invalid direction");
      return;
    }
    if (end < start) {
      plain(request, 400, "end timestamp must not be before or equal to start time");
      return;
    }
    List<Stored> selected = matching(query, start, end);
    if (direction.equals("backward")) {
      selected = new ArrayList<>(selected);
      java.util.Collections.reverse(selected);
    }
    selected = selected.subList(0, Math.min(limit, selected.size()));
    JsonArray result = group(selected);
    request.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("status", "success")
            .put("data", new JsonObject().put("resultType", "streams").put("result", result).put("stats", new JsonObject())).encode());
  }

  private void tail(HttpServerRequest request, LogQlParser.Query query, String tenant) {
    long now = System.currentTimeMillis() * 1_000_000L;
    int limit = intParam(request, "limit", 100);
    long start = longParam(request, "start", now - 3_600_000_000_000L);
    int delayFor = intParam(request, "delay_for", 0);
    if (delayFor > 5) {
      plain(request, 400, "delay_for can't be greater than 5");
      return;
    }
    Duration duration = maxTailDuration;
    request.toWebSocket().onSuccess(socket -> {
      List<Tail> tails = tailsByTenant.computeIfAbsent(tenant, t -> new ArrayList<>());
      if (tails.size() >= maxTailsPerTenant) {
        tailsRefused.incrementAndGet();
        socket.close((short) 1011, String.format("max concurrent tail requests limit exceeded, count > limit (%d > %d)", tails.size() + 1, maxTailsPerTenant));
        return;
      }
      Tail tail = new Tail(socket, query, tenant);
      tails.add(tail);
      tailsOpened.incrementAndGet();
      socket.closeHandler(v -> tails.remove(tail));
      List<Stored> history = matching(query, start, Long.MAX_VALUE);
      if (history.size() > limit) {
        history = history.subList(history.size() - limit, history.size());
      }
      if (!history.isEmpty()) {
        socket.writeTextMessage(frame(history).encode());
      }
      long timer = vertx.setTimer(duration.toMillis(), id -> {
        if (tails.remove(tail)) {
          socket.close((short) 1011, "reached tail max duration limit");
        }
      });
      socket.endHandler(v -> vertx.cancelTimer(timer));
    });
  }

  private List<Stored> matching(LogQlParser.Query query, long start, long end) {
    return entries.stream()
        .filter(s -> s.ts() >= start && s.ts() < end && query.matches(s.labels()) && query.accepts(s.line()))
        .sorted(Comparator.comparingLong(Stored::ts))
        .toList();
  }

  private static JsonObject frame(List<Stored> entries) {
    return new JsonObject().put("streams", group(entries)).putNull("dropped_entries");
  }

  /** Entries grouped into Loki streams by label set, each stream's values in the given order. */
  private static JsonArray group(List<Stored> entries) {
    Map<Map<String, String>, JsonArray> streams = new LinkedHashMap<>();
    for (Stored entry : entries) {
      streams.computeIfAbsent(entry.labels(), l -> new JsonArray())
          .add(new JsonArray().add(Long.toString(entry.ts())).add(entry.line()));
    }
    JsonArray result = new JsonArray();
    streams.forEach((labels, values) -> result.add(new JsonObject().put("stream", new JsonObject(new LinkedHashMap<>(labels))).put("values", values)));
    return result;
  }

  private static void plain(HttpServerRequest request, int status, String message) {
    request.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(message + "\n");
  }

  private static int intParam(HttpServerRequest request, String name, int fallback) {
    String value = request.getParam(name);
    return value == null || value.isEmpty() ? fallback : Integer.parseInt(value);
  }

  private static long longParam(HttpServerRequest request, String name, long fallback) {
    String value = request.getParam(name);
    return value == null || value.isEmpty() ? fallback : Long.parseLong(value);
  }

  private <T> T onContext(java.util.concurrent.Callable<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        result.complete(work.call());
      } catch (Exception e) {
        result.completeExceptionally(e);
      }
    });
    try {
      return result.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
