package io.skypanel.bench.exec;

import io.skypanel.common.Platform;
import io.skypanel.common.metrics.Metrics;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.ControlPlaneServer;
import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.TestImages;
import io.skypanel.exec.ExecProxyVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Console throughput and keystroke round trip through exec-proxy, each measured against its peer in the same run:
 * {@code docker exec} (the engine's own CLI) on the same Swarm task container.
 *
 * <p>Boots what the exec-proxy tests boot: a control plane (fresh database, Redis prefix, reconciler) that creates a
 * busybox container (content id, never a tag) through its API in a new organization on the default
 * {@code standard} tier (audited, not recorded), and one exec-proxy on the same Vert.x. The load generator is a
 * separate Vert.x instance in the same JVM.
 *
 * <p>System properties: {@code bench.bytes} (52428800, the size of the file {@code cat} streams; {@code bench.produce} overrides the command), {@code bench.runs} (5, alternating console and peers),
 * {@code bench.samples} (1000 keystrokes, after {@code bench.warmup} = 100), {@code bench.cpu} (1.0, the container's
 * CPU limit; docker exec processes run in the container's cgroup too, so both sides share it).
 */
public final class ExecBench {

  private static final Duration CONVERGE = Duration.ofSeconds(180);

  private final long bytes = Long.getLong("bench.bytes", 52_428_800L);
  private final int runs = Integer.getInteger("bench.runs", 5);
  private final int samples = Integer.getInteger("bench.samples", 1000);
  private final int warmup = Integer.getInteger("bench.warmup", 100);
  private final double cpu = Double.parseDouble(System.getProperty("bench.cpu", "1.0"));

  private Vertx serverVertx;
  private Vertx clientVertx;
  private ControlPlaneServer server;
  private ApiClient api;
  private ApiClient.Session owner;
  private String org;
  private String container;
  private String dockerId;
  private int execPort;
  private WebSocketClient websockets;

  public static void main(String[] args) throws Exception {
    ExecBench bench = new ExecBench();
    int code = 0;
    try {
      bench.setUp();
      bench.throughput();
      bench.keystrokes();
    } catch (Throwable e) {
      e.printStackTrace();
      code = 1;
    } finally {
      bench.tearDown();
    }
    System.exit(code);
  }

  private void setUp() {
    Metrics metrics = new Metrics();
    serverVertx = Vertx.builder().with(metrics.vertxOptions()).withMetrics(metrics.factory()).build();
    server = Await.result(ControlPlaneServer.start(serverVertx, metrics, new JsonObject()));
    api = new ApiClient(serverVertx, server.port());
    owner = Await.result(api.newUser("Bench Owner"));
    HttpResponse<Buffer> organization = Await.result(api.post("/api/organizations", owner.token(),
        new JsonObject().put("name", "Bench " + UUID.randomUUID().toString().substring(0, 6))));
    require(organization.statusCode() == 201, organization);
    org = organization.bodyAsJsonObject().getString("id");
    // the default plan (hobby) caps a container at 0.25 CPU; 'standard' allows 1.0 on the same isolation tier
    TestServers.execute(server.database(),
        "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'standard') WHERE id = '" + org + "'");

    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/caas/containers", new JsonObject()
        .put("name", "bench")
        .put("image_ref", TestImages.digestOf(TestImages.busybox()))
        .put("cmd", new JsonArray().add("sleep").add("86400"))
        .put("resources", new JsonObject().put("cpu", cpu).put("memory_mb", 128)));
    require(created.statusCode() == 202, created);
    container = created.bodyAsJsonObject().getString("id");
    Eventually.await("container running", CONVERGE, () -> {
      JsonObject state = call(HttpMethod.GET, "/api/caas/containers/" + container, null).bodyAsJsonObject();
      return "running".equals(state.getString("status")) && Integer.valueOf(1).equals(state.getInteger("running_replicas")) ? state : null;
    });
    // the task's container carries the platform's labels too
    dockerId = Eventually.await("the task's container", CONVERGE, () -> {
      String id = TestImages.docker("ps", "-q", "--filter", "label=skypanel.container=" + container).trim();
      return id.isEmpty() || id.contains("\n") ? null : id;
    });

    Platform shared = server.platform();
    var settings = shared.settings().with("SKYPANEL_EXEC_PORT", "0").with("SKYPANEL_BIND_HOST", "127.0.0.1");
    Platform platform = new Platform(shared.vertx(), settings, shared.pool(), shared.redis(), shared.redisApi(), shared.redisPrefix(),
        shared.docker(), shared.secrets(), shared.accessTokens(), shared.authenticator(), shared.events(), shared.metrics());
    ExecProxyVerticle verticle = new ExecProxyVerticle(platform);
    Await.result(serverVertx.deployVerticle(verticle));
    execPort = Integer.parseInt(verticle.endpoints().get(0).replaceAll("^http://[^:]+:(\\d+).*$", "$1"));

    clientVertx = Vertx.vertx();
    websockets = clientVertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
    System.out.printf(Locale.ROOT, "# exec bench: container %s (docker %s, cpu %.2f), exec-proxy on 127.0.0.1:%d, %d cores%n",
        container, dockerId.substring(0, 12), cpu, execPort, Runtime.getRuntime().availableProcessors());
  }

  // --- throughput ------------------------------------------------------------------------------

  private void throughput() throws Exception {
    // a file of 'x', not /dev/zero: a TTY stream that starts with NUL bytes is lost by the console (docker-java
    // takes 0x00 0x00 0x00 0x00 for a multiplexed frame header of stream 0 and drops it; see docs/benchmarks.md)
    TestImages.docker("exec", dockerId, "sh", "-c", "head -c " + bytes + " /dev/zero | tr '\\0' x > /tmp/bench.blob");
    String produce = System.getProperty("bench.produce", "cat /tmp/bench.blob");
    List<Double> console = new ArrayList<>();
    List<Double> dockerTty = new ArrayList<>();
    List<Double> dockerPipe = new ArrayList<>();
    // one unmeasured round of each, so the first measured one does not pay for JIT and connection set-up
    consoleThroughput(produce);
    dockerThroughput(true, produce);
    dockerThroughput(false, produce);
    for (int run = 1; run <= runs; run++) {
      console.add(consoleThroughput(produce));
      dockerTty.add(dockerThroughput(true, produce));
      dockerPipe.add(dockerThroughput(false, produce));
      System.out.printf(Locale.ROOT, "throughput run %d: console %.1f MB/s, docker exec -t %.1f MB/s, docker exec (no tty) %.1f MB/s%n",
          run, console.get(run - 1), dockerTty.get(run - 1), dockerPipe.get(run - 1));
    }
    System.out.printf(Locale.ROOT, "THROUGHPUT %d MB x %d runs (MB/s median [min..max]): console %.1f [%.1f..%.1f] | docker exec -t %.1f [%.1f..%.1f]"
            + " | docker exec %.1f [%.1f..%.1f] | ratio console/docker-exec-t %.2f, console/docker-exec %.2f%n",
        bytes / 1_000_000, runs,
        Stats.median(console), Stats.min(console), Stats.max(console),
        Stats.median(dockerTty), Stats.min(dockerTty), Stats.max(dockerTty),
        Stats.median(dockerPipe), Stats.min(dockerPipe), Stats.max(dockerPipe),
        Stats.median(console) / Stats.median(dockerTty), Stats.median(console) / Stats.median(dockerPipe));
  }

  /** MB/s (10^6 bytes) of one console session running {@code produce} with a raw TTY, from upgrade request to close. */
  private double consoleThroughput(String produce) throws Exception {
    AtomicLong received = new AtomicLong();
    java.util.concurrent.atomic.AtomicReference<String> lastText = new java.util.concurrent.atomic.AtomicReference<>();
    CompletableFuture<Short> closed = new CompletableFuture<>();
    long start = System.nanoTime();
    // handlers set on the connection's own context, before any frame can arrive
    Await.result(websockets.connect(consoleOptions("stty raw -echo; " + produce)).map(socket -> {
      socket.binaryMessageHandler(data -> received.addAndGet(data.length()));
      socket.textMessageHandler(text -> lastText.set(text));
      socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
      return socket;
    }));
    Short code = closed.get(10, TimeUnit.MINUTES);
    long elapsed = System.nanoTime() - start;
    if (received.get() != bytes || code == null || code != 1000) {
      throw new IllegalStateException("console delivered " + received.get() + " of " + bytes + " bytes, close code " + code + ", last message " + lastText.get());
    }
    return bytes / 1e6 / (elapsed / 1e9);
  }

  /** MB/s of {@code docker exec [-t]} running {@code produce}, from process start to its exit. */
  private double dockerThroughput(boolean tty, String produce) throws Exception {
    List<String> command = new ArrayList<>(List.of(TestImages.DOCKER, "exec"));
    if (tty) {
      command.add("-t");
    }
    command.addAll(List.of(dockerId, "sh", "-c", (tty ? "stty raw -echo; " : "") + produce));
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    process.getOutputStream().close();
    long total = 0;
    byte[] buffer = new byte[64 * 1024];
    try (InputStream out = process.getInputStream()) {
      for (int n; (n = out.read(buffer)) >= 0; ) {
        total += n;
      }
    }
    int exit = process.waitFor();
    long elapsed = System.nanoTime() - start;
    if (total != bytes || exit != 0) {
      throw new IllegalStateException("docker exec" + (tty ? " -t" : "") + " delivered " + total + " of " + bytes + " bytes, exit " + exit);
    }
    return bytes / 1e6 / (elapsed / 1e9);
  }

  // --- keystroke round trip --------------------------------------------------------------------

  private void keystrokes() throws Exception {
    double[] console = consoleKeystrokes();
    double[] docker = dockerKeystrokes();
    System.out.printf(Locale.ROOT, "KEYSTROKE RTT %d samples (ms p50 / p99 / max): console %.3f / %.3f / %.3f | docker exec -i %.3f / %.3f / %.3f"
            + " | ratio p50 %.2f, p99 %.2f%n",
        samples,
        Stats.percentile(console, 0.5), Stats.percentile(console, 0.99), Stats.percentile(console, 1.0),
        Stats.percentile(docker, 0.5), Stats.percentile(docker, 0.99), Stats.percentile(docker, 1.0),
        Stats.percentile(console, 0.5) / Stats.percentile(docker, 0.5), Stats.percentile(console, 0.99) / Stats.percentile(docker, 0.99));
  }

  /** One byte at a time into {@code cat} behind a raw, non-echoing TTY: the byte that comes back is cat's. */
  private double[] consoleKeystrokes() throws Exception {
    BlockingQueue<Long> arrivals = new ArrayBlockingQueue<>(16);
    StringBuilder preamble = new StringBuilder();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    WebSocket socket = Await.result(websockets.connect(consoleOptions("stty raw -echo; echo READY; exec cat")).map(ws -> ws.binaryMessageHandler(data -> {
      long now = System.nanoTime();
      if (!ready.isDone()) {
        preamble.append(data.toString(StandardCharsets.UTF_8));
        if (preamble.indexOf("READY\n") >= 0) {
          ready.complete(null);
        }
        return;
      }
      for (int i = 0; i < data.length(); i++) {
        arrivals.add(now);
      }
    })));
    ready.get(30, TimeUnit.SECONDS);
    double[] measured = new double[samples];
    Buffer key = Buffer.buffer("x");
    for (int i = -warmup; i < samples; i++) {
      long sent = System.nanoTime();
      socket.writeBinaryMessage(key);
      Long arrived = arrivals.poll(10, TimeUnit.SECONDS);
      if (arrived == null) {
        throw new IllegalStateException("keystroke " + i + " did not come back through the console");
      }
      if (i >= 0) {
        measured[i] = (arrived - sent) / 1e6;
      }
    }
    Await.result(socket.close());
    return measured;
  }

  /** The same through {@code docker exec -i <container> cat} (pipes: the CLI refuses -t without a terminal). */
  private double[] dockerKeystrokes() throws Exception {
    Process process = new ProcessBuilder(TestImages.DOCKER, "exec", "-i", dockerId, "cat")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    double[] measured = new double[samples];
    try (OutputStream in = process.getOutputStream(); InputStream out = process.getInputStream()) {
      for (int i = -warmup; i < samples; i++) {
        long sent = System.nanoTime();
        in.write('x');
        in.flush();
        if (out.read() != 'x') {
          throw new IllegalStateException("keystroke " + i + " did not come back through docker exec");
        }
        if (i >= 0) {
          measured[i] = (System.nanoTime() - sent) / 1e6;
        }
      }
    }
    process.waitFor(30, TimeUnit.SECONDS);
    return measured;
  }

  // --- plumbing --------------------------------------------------------------------------------

  private WebSocketConnectOptions consoleOptions(String script) {
    String uri = "/api/caas/containers/" + container + "/console?command=sh&command=-c&command="
        + URLEncoder.encode(script, StandardCharsets.UTF_8).replace("+", "%20");
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(execPort).setURI(uri)
        .addHeader("Authorization", "Bearer " + owner.token()).addHeader("X-Organization-Id", org);
  }

  private HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) {
    var request = api.request(method, path, owner.token()).putHeader("X-Organization-Id", org);
    return Await.result(body == null ? request.send() : request.sendJsonObject(body));
  }

  private static void require(boolean condition, HttpResponse<Buffer> response) {
    if (!condition) {
      throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.bodyAsString());
    }
  }

  /** Deletes the container through the API (so the reconciler does not put it back) and its organization network. */
  private void tearDown() {
    try {
      if (container != null) {
        call(HttpMethod.DELETE, "/api/caas/containers/" + container, null);
        Eventually.await("the container's service removed", CONVERGE, () -> TestImages.docker("service", "ls", "-q", "--filter",
            "label=skypanel.container=" + container).isBlank() ? true : null);
      }
      if (org != null) {
        Eventually.await("networks of " + org + " removed", CONVERGE, () -> {
          try {
            TestImages.removeOrganizationNetworks(java.util.UUID.fromString(org.toString()));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return TestImages.dockerResult("network", "inspect", "org-" + org).code() != 0 ? true : null;
        });
      }
    } catch (RuntimeException | AssertionError e) {
      System.err.println("clean-up incomplete: " + e);
    } finally {
      if (clientVertx != null) {
        Await.result(clientVertx.close());
      }
      if (api != null) {
        api.close();
      }
      if (server != null) {
        Await.result(server.stop());
      }
      if (serverVertx != null) {
        Await.result(serverVertx.close());
      }
    }
  }
}
