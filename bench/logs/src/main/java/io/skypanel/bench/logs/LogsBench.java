package io.skypanel.bench.logs;

import io.skypanel.controlplane.support.Await;
import io.skypanel.common.testing.Eventually;
import io.skypanel.logs.support.LogTailServer;
import io.skypanel.logs.support.LokiTestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Log fan-out: {@code bench.viewers} (1000) viewers of one container's logs through log-tail, which opens ONE
 * upstream tail on the Loki-protocol test server, while the bench pushes {@code bench.lines} (2000) lines at
 * {@code bench.rate} (100) lines/s; delivery latency is push call to arrival at each viewer. The peer, in the same
 * run, is the same number of viewers each holding its own {@code /loki/api/v1/tail} on the test server (1000
 * upstream tails), fed the same way. {@code bench.transport} = {@code ws} (default) or {@code sse} for the
 * log-tail viewers (the peer is always WebSocket: Loki's tail has no SSE).
 *
 * <p>Every line carries {@code @@<seq>:<System.nanoTime() at push>;}; pushing, serving and viewing all run in this
 * JVM (Loki test server and log-tail on one Vert.x, viewers on another), so the clocks agree.
 */
public final class LogsBench {

  private static final String TENANT = "bench";
  private static final Duration WAIT = Duration.ofSeconds(120);

  private final int viewers = Integer.getInteger("bench.viewers", 1000);
  private final int lines = Integer.getInteger("bench.lines", 2000);
  private final int warmup = Integer.getInteger("bench.warmup", 100);
  private final int rate = Integer.getInteger("bench.rate", 100);
  private final int padding = Integer.getInteger("bench.padding", 100);
  private final String transport = System.getProperty("bench.transport", "ws");

  private Vertx serverVertx;
  private Vertx clientVertx;
  private LokiTestServer loki;
  private LogTailServer server;
  private HttpClient http;
  private WebSocketClient websockets;

  /** Arrival latencies (ms) of one phase, indexed viewer * total + seq; NaN = never arrived. */
  private float[] latencies;
  private final AtomicLong arrivals = new AtomicLong();

  public static void main(String[] args) {
    LogsBench bench = new LogsBench();
    int code = 0;
    try {
      bench.setUp();
      Result shared = bench.throughLogTail();
      Result direct = bench.directToLoki();
      System.out.printf(Locale.ROOT, "FANOUT %d viewers x %d lines at %d/s: log-tail(%s) p50 %.2f p99 %.2f max %.2f ms, upstream tails %d"
              + " | direct Loki tails p50 %.2f p99 %.2f max %.2f ms, upstream tails %d | ratio p50 %.2f, p99 %.2f%n",
          bench.viewers, bench.lines, bench.rate, bench.transport, shared.p50, shared.p99, shared.max, shared.tails,
          direct.p50, direct.p99, direct.max, direct.tails, shared.p50 / direct.p50, shared.p99 / direct.p99);
    } catch (Throwable e) {
      e.printStackTrace();
      code = 1;
    } finally {
      bench.tearDown();
    }
    System.exit(code);
  }

  private record Result(double p50, double p99, double max, long missing, int tails) {
  }

  private void setUp() {
    serverVertx = Vertx.vertx();
    loki = Await.result(new LokiTestServer(serverVertx, viewers * 2, Duration.ofHours(1)).start());
    server = Await.result(LogTailServer.start(serverVertx, new JsonObject()
        .put("SKYPANEL_LOKI_URL", loki.url())
        .put("SKYPANEL_LOKI_TENANT", TENANT)));
    clientVertx = Vertx.vertx();
    http = clientVertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port()),
        new PoolOptions().setHttp1MaxSize(viewers + 10));
    websockets = clientVertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(viewers + 10));
    System.out.printf(Locale.ROOT, "# logs bench: %d viewers (%s), %d lines (+%d warm-up) at %d lines/s, %d-byte lines, %d cores%n",
        viewers, transport, lines, warmup, rate, padding, Runtime.getRuntime().availableProcessors());
  }

  // --- phase 1: one shared upstream through log-tail ---------------------------------------------

  private Result throughLogTail() {
    UUID user = server.user("viewer-" + UUID.randomUUID().toString().substring(0, 8) + "@bench.test");
    UUID org = server.organization("bench-" + UUID.randomUUID().toString().substring(0, 8), user, "viewer");
    UUID container = server.container(org, "bench", null);
    String token = server.token(user);
    String path = "/api/caas/containers/" + container + "/logs?limit=0";
    int tailsBefore = loki.tailsOpened();
    reset();
    List<Runnable> closers = new ArrayList<>();
    connectAll(i -> {
      if (transport.equals("sse")) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(path).setIdleTimeout(0)
            .addHeader("Authorization", "Bearer " + token).addHeader("X-Organization-Id", org.toString());
        return http.request(options).compose(req -> req.send().map(resp -> {
          if (resp.statusCode() != 200) {
            throw new IllegalStateException("SSE viewer refused: HTTP " + resp.statusCode());
          }
          resp.handler(chunk -> record(i, chunk.toString(StandardCharsets.UTF_8)));
          closers.add(() -> resp.request().connection().close());
          return null;
        }));
      }
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port()).setURI(path)
          .addHeader("Authorization", "Bearer " + token).addHeader("X-Organization-Id", org.toString());
      return websockets.connect(options).map(ws -> {
        ws.textMessageHandler(text -> record(i, text));
        closers.add(ws::close);
        return null;
      });
    });
    Eventually.await(viewers + " viewers joined one upstream", WAIT,
        () -> onHub(() -> server.verticle().hub().viewers()) == viewers && loki.openTails(TENANT) == 1 ? true : null);
    push(labels(container, org));
    Result result = summarise("log-tail (" + transport + ")", loki.tailsOpened() - tailsBefore);
    closers.forEach(Runnable::run);
    Eventually.await("log-tail's viewers gone", WAIT, () -> onHub(() -> server.verticle().hub().upstreams()) == 0 ? true : null);
    return result;
  }

  // --- phase 2 (peer): every viewer tails Loki itself ---------------------------------------------

  private Result directToLoki() {
    UUID org = UUID.randomUUID();
    UUID container = UUID.randomUUID();
    String query = "{skypanel_container=\"" + container + "\",skypanel_org=\"" + org + "\"}";
    String path = "/loki/api/v1/tail?limit=0&query=" + URLEncoder.encode(query, StandardCharsets.UTF_8);
    int tailsBefore = loki.tailsOpened();
    reset();
    List<Runnable> closers = new ArrayList<>();
    connectAll(i -> websockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(loki.port()).setURI(path)
        .addHeader(LokiTestServer.TENANT_HEADER, TENANT)).map(ws -> {
          ws.textMessageHandler(text -> record(i, text));
          closers.add(ws::close);
          return null;
        }));
    Eventually.await(viewers + " direct tails open", WAIT, () -> loki.openTails(TENANT) == viewers ? true : null);
    push(labels(container, org));
    Result result = summarise("direct Loki tails", loki.tailsOpened() - tailsBefore);
    closers.forEach(Runnable::run);
    return result;
  }

  // --- shared ---------------------------------------------------------------------------------

  private interface Connect {
    Future<Void> open(int viewer);
  }

  /** Opens the viewers 50 at a time (a crowd arriving, not a connect storm the listener's backlog would refuse). */
  private void connectAll(Connect connect) {
    for (int from = 0; from < viewers; from += 50) {
      List<Future<Void>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(viewers, from + 50); i++) {
        int viewer = i;
        batch.add(Future.<Void>future(p -> clientVertx.runOnContext(v -> connect.open(viewer).onComplete(p))));
      }
      Await.result(Future.all(batch));
    }
  }

  private void reset() {
    latencies = new float[viewers * (warmup + lines)];
    Arrays.fill(latencies, Float.NaN);
    arrivals.set(0);
  }

  /** Records every {@code @@seq:nanos;} marker in what a viewer received (a frame, or a chunk of SSE). */
  private void record(int viewer, String text) {
    long now = System.nanoTime();
    int at = 0;
    while ((at = text.indexOf("@@", at)) >= 0) {
      int colon = text.indexOf(':', at);
      int end = text.indexOf(';', colon);
      if (colon < 0 || end < 0) {
        return; // an SSE chunk cut inside a marker: its line is counted as missing (not seen in practice)
      }
      int seq = Integer.parseInt(text, at + 2, colon, 10);
      long pushed = Long.parseLong(text, colon + 1, end, 10);
      latencies[viewer * (warmup + lines) + seq] = (now - pushed) / 1e6f;
      arrivals.incrementAndGet();
      at = end;
    }
  }

  /** Pushes warm-up and measured lines, one per push, on a fixed schedule; then waits for delivery to settle. */
  private void push(Map<String, String> labels) {
    String pad = "x".repeat(padding);
    long period = 1_000_000_000L / rate;
    long start = System.nanoTime();
    long ts = System.currentTimeMillis() * 1_000_000L;
    for (int seq = 0; seq < warmup + lines; seq++) {
      long due = start + seq * period;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait); // pacing the load generator, not waiting for a result
      }
      loki.push(labels, ts + seq * 1000L, "@@" + seq + ":" + System.nanoTime() + "; " + pad);
    }
    long expected = (long) viewers * (warmup + lines);
    try {
      Eventually.await("every line at every viewer", Duration.ofSeconds(30), () -> arrivals.get() >= expected ? true : null);
    } catch (AssertionError e) {
      System.out.printf(Locale.ROOT, "# only %d of %d deliveries after 30 s%n", arrivals.get(), expected);
    }
  }

  private Result summarise(String name, int tails) {
    int total = warmup + lines;
    float[] measured = new float[viewers * lines];
    int n = 0;
    long missing = 0;
    for (int viewer = 0; viewer < viewers; viewer++) {
      for (int seq = warmup; seq < total; seq++) {
        float value = latencies[viewer * total + seq];
        if (Float.isNaN(value)) {
          missing++;
        } else {
          measured[n++] = value;
        }
      }
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = measured[i];
    }
    Result result = new Result(Stats.percentile(values, 0.5), Stats.percentile(values, 0.99), Stats.percentile(values, 1.0), missing, tails);
    System.out.printf(Locale.ROOT, "  %s: %d deliveries, %d missing, latency ms p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f, upstream tails opened %d%n",
        name, n, missing, result.p50, Stats.percentile(values, 0.9), result.p99,
        Stats.percentile(values, 0.999), result.max, tails);
    return result;
  }

  private static Map<String, String> labels(UUID container, UUID org) {
    return Map.of("skypanel_org", org.toString(), "skypanel_container", container.toString(), "stream", "stdout");
  }

  private <T> T onHub(Callable<T> probe) {
    return Await.result(Future.<T>future(p -> server.verticle().hubContext().runOnContext(v -> {
      try {
        p.complete(probe.call());
      } catch (Exception e) {
        p.fail(e);
      }
    })));
  }

  private void tearDown() {
    try {
      if (clientVertx != null) {
        Await.result(clientVertx.close());
      }
      if (server != null) {
        Await.result(server.stop());
      }
      if (loki != null) {
        Await.result(loki.close());
      }
    } finally {
      if (serverVertx != null) {
        Await.result(serverVertx.close());
      }
    }
  }
}
