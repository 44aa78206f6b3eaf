package io.skypanel.launcher;

import io.skypanel.common.redis.RedisPing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A Redis server run by this process when {@code REDIS_URL} is unset: the {@code redis-server} found on
 * {@code PATH}, bound to 127.0.0.1 on a free port with its working directory in {@code <data dir>/redis},
 * or else the binary bundled with embedded-redis. Redis holds only short-lived state (rate limits,
 * challenges, pub/sub), so nothing is persisted. Every method blocks: call from a worker thread or
 * before Vert.x serves anything.
 *
 * <p>A {@code redis-server} that exits while it is not being stopped (crash, OOM killer, {@code kill}) is started
 * again on the same port, so the platform's clients reconnect to the URL they have: after
 * {@value #FIRST_RESTART_MS} ms, the pause doubling up to {@value #MAX_RESTART_MS} ms while it keeps dying within
 * {@value #STABLE_MS} ms of its start or failing to start. {@link #close} stops it for good. The embedded fallback
 * is not supervised.
 */
public final class LocalRedis implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalRedis.class);
  private static final long READY_TIMEOUT_MS = 15_000;
  private static final int ATTEMPTS = 3;
  static final long FIRST_RESTART_MS = 250;
  static final long MAX_RESTART_MS = 10_000;
  static final long STABLE_MS = 30_000;

  private final int port;
  private final String kind;
  private final RedisServer embedded;
  private final Path binary;
  private final Path directory;
  private final Path pidFile;
  private final ScheduledExecutorService supervisor;
  private final Thread shutdownHook;
  // guarded by this
  private Process process;
  private long startedAt;
  private int failures;
  private int restarts;
  private boolean stopping;

  private LocalRedis(int port, RedisServer embedded) {
    this.port = port;
    this.kind = "embedded-redis";
    this.embedded = embedded;
    this.binary = null;
    this.directory = null;
    this.pidFile = null;
    this.supervisor = null;
    this.shutdownHook = null;
  }

  private LocalRedis(int port, Path binary, Path directory, Process process) {
    this.port = port;
    this.kind = "redis-server";
    this.embedded = null;
    this.binary = binary;
    this.directory = directory;
    this.pidFile = directory.resolve("redis-server.pid");
    this.supervisor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "skypanel-redis-supervisor");
      thread.setDaemon(true);
      return thread;
    });
    // without setsid, Ctrl-C in a terminal signals redis-server too: it exits at once, before the launcher's own
    // shutdown reaches close(), and must not be started again then
    this.shutdownHook = new Thread(() -> {
      synchronized (this) {
        stopping = true;
      }
    }, "skypanel-redis-supervisor-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    supervise(process);
  }

  /** Starts a Redis with its files in {@code directory} and returns once it answers PING. Blocking. */
  public static LocalRedis start(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the Redis directory " + dir + ": " + e.getMessage(), e);
    }
    Optional<Path> binary = onPath("redis-server");
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      // a free port can be taken between probing and binding; another port is tried then
      int port = freePort();
      try {
        return binary.isPresent() ? new LocalRedis(port, binary.get(), dir, spawn(binary.get(), dir, port)) : embedded(dir, port);
      } catch (IllegalStateException e) {
        last = e;
        LOG.debug("local Redis attempt {} on port {} failed: {}", attempt, port, e.getMessage());
      }
    }
    throw last;
  }

  /** {@code redis://127.0.0.1:<port>/0}. */
  public String url() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  public int port() {
    return port;
  }

  /** {@code redis-server} (from PATH) or {@code embedded-redis}. */
  public String kind() {
    return kind;
  }

  /** The running redis-server's process; empty for the embedded Redis, while restarting and once closed. */
  public synchronized Optional<ProcessHandle> process() {
    return process == null || !process.isAlive() ? Optional.empty() : Optional.of(process.toHandle());
  }

  /** How often the supervisor started redis-server again after it had exited. */
  public synchronized int restarts() {
    return restarts;
  }

  private synchronized void supervise(Process started) {
    process = started;
    startedAt = System.nanoTime();
    started.onExit().thenAccept(this::exited);
  }

  /** Runs when a redis-server exits; schedules a restart unless it was stopped on purpose. */
  private void exited(Process ended) {
    long delay;
    synchronized (this) {
      if (stopping || ended != process) {
        return;
      }
      process = null;
      long upMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
      failures = upMs >= STABLE_MS ? 0 : failures + 1;
      delay = restartDelay(failures);
      LOG.warn("redis-server (pid {}) on 127.0.0.1:{} exited with code {} after {} s; starting it again on the same port in {} ms",
          ended.pid(), port, ended.exitValue(), upMs / 1000, delay);
    }
    schedule(delay);
  }

  private static long restartDelay(int failures) {
    return Math.min(MAX_RESTART_MS, FIRST_RESTART_MS << Math.min(Math.max(failures - 1, 0), 16));
  }

  private void schedule(long delayMs) {
    try {
      supervisor.schedule(this::restart, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private void restart() {
    synchronized (this) {
      if (stopping) {
        return;
      }
    }
    Process started;
    try {
      started = spawn(binary, directory, port);
    } catch (IllegalStateException e) {
      long delay;
      synchronized (this) {
        if (stopping) {
          return;
        }
        failures++;
        delay = restartDelay(failures);
      }
      LOG.warn("redis-server did not start again on 127.0.0.1:{} ({}); next try in {} ms", port, e.getMessage(), delay);
      schedule(delay);
      return;
    }
    synchronized (this) {
      if (!stopping) {
        restarts++;
        supervise(started);
        LOG.info("redis-server is back on 127.0.0.1:{} (restart {}); its data starts empty", port, restarts);
        return;
      }
    }
    stopProcess(started);
  }

  /** Starts redis-server on {@code port} and returns once it answers PING; records its pid. */
  private static Process spawn(Path binary, Path dir, int port) {
    Path log = dir.resolve("redis.log");
    Path pidFile = dir.resolve("redis-server.pid");
    stopOrphan(pidFile);
    List<String> command = new ArrayList<>();
    // in a session of its own (as pg_ctl runs PostgreSQL): Ctrl-C in the terminal then reaches only the launcher,
    // which stops the services and closes their connections before it stops this server, as it does for SIGTERM
    onPath("setsid").ifPresent(setsid -> command.add(setsid.toString()));
    command.addAll(List.of(binary.toString(),
        "--bind", "127.0.0.1",
        "--port", Integer.toString(port),
        "--dir", dir.toString(),
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--protected-mode", "yes",
        "--logfile", ""));
    Process process;
    try {
      process = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
    }
    try {
      awaitPing(port, process, log);
    } catch (RuntimeException e) {
      stopProcess(process);
      throw e;
    }
    try {
      Files.writeString(pidFile, process.pid() + " " + port);
    } catch (IOException e) {
      LOG.debug("cannot record the redis-server pid in {}", pidFile, e);
    }
    LOG.info("started {} (pid {}) on 127.0.0.1:{}, files in {}", binary, process.pid(), port, dir);
    return process;
  }

  private static LocalRedis embedded(Path dir, int port) {
    RedisServer server;
    try {
      server = RedisServer.newRedisServer()
          .bind("127.0.0.1")
          .port(port)
          .setting("dir \"" + dir + "\"")
          .setting("save \"\"")
          .setting("appendonly no")
          .build();
      server.start();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("embedded Redis did not start on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    try {
      awaitPing(port, null, null);
    } catch (RuntimeException e) {
      stopEmbedded(server);
      throw e;
    }
    LOG.info("redis-server is not on PATH; started the embedded Redis on 127.0.0.1:{}", port);
    return new LocalRedis(port, server);
  }

  /** Stops supervising, then stops the server (SIGTERM, then SIGKILL after 10 s). Blocking; never throws. */
  @Override
  public void close() {
    synchronized (this) {
      stopping = true;
    }
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook has run or is running
      }
    }
    if (supervisor != null) {
      // a restart under way is interrupted; spawn stops the process it had started
      supervisor.shutdownNow();
      try {
        if (!supervisor.awaitTermination(READY_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS)) {
          LOG.warn("the redis-server supervisor did not end");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Process running;
    synchronized (this) {
      running = process;
    }
    if (running != null) {
      stopProcess(running);
      try {
        Files.deleteIfExists(pidFile);
      } catch (IOException ignored) {
        // only a hint for the next start
      }
    }
    if (embedded != null) {
      stopEmbedded(embedded);
    }
    LOG.info("local Redis on port {} stopped", port);
  }

  private static void stopProcess(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        LOG.warn("redis-server (pid {}) did not stop within 10 s; killing it", process.pid());
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void stopEmbedded(RedisServer server) {
    try {
      server.stop();
    } catch (IOException | RuntimeException e) {
      LOG.warn("embedded Redis did not stop cleanly: {}", e.getMessage());
    }
  }

  /** Polls with PING until {@code +PONG}, the process exits, or the deadline passes. */
  private static void awaitPing(int port, Process process, Path log) {
    RedisPing.await(port, Duration.ofMillis(READY_TIMEOUT_MS), () -> process == null || process.isAlive() ? null
        : "redis-server exited with code " + process.exitValue() + " before answering PING: " + lastLine(log));
  }

  private static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (!lines.get(i).isBlank()) {
          return lines.get(i).trim();
        }
      }
    } catch (IOException ignored) {
      // fall through
    }
    return "see " + log;
  }

  /**
   * A redis-server left running by a process that died without stopping it (kill -9): the pid and port
   * recorded in this data directory, if that process is still a redis-server serving that port (redis
   * rewrites its process title to {@code redis-server 127.0.0.1:<port>}; Debian's binary is a link to
   * redis-check-rdb, so the title, not the executable, identifies it).
   */
  private static void stopOrphan(Path pidFile) {
    if (!Files.exists(pidFile)) {
      return;
    }
    try {
      String[] recorded = Files.readString(pidFile).trim().split("\\s+");
      long pid = Long.parseLong(recorded[0]);
      String address = recorded.length > 1 ? "127.0.0.1:" + recorded[1] : null;
      ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(handle -> processTitle(handle).map(line -> line.contains("redis") && (address == null || line.contains(address))).orElse(false))
          .ifPresent(handle -> {
            LOG.warn("stopping an orphaned redis-server (pid {}) from a previous run", pid);
            handle.destroy();
            try {
              handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
              handle.destroyForcibly();
            }
          });
      Files.deleteIfExists(pidFile);
    } catch (IOException | RuntimeException e) {
      LOG.debug("ignoring the unreadable pid file {}", pidFile, e);
    }
  }

  /** The process title as {@code ps} shows it; the JDK reports no command line once redis has rewritten it. */
  private static Optional<String> processTitle(ProcessHandle handle) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(handle.pid()), "cmdline"));
      String title = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
      if (!title.isEmpty()) {
        return Optional.of(title);
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux, or the process is gone
    }
    return handle.info().commandLine().or(() -> handle.info().command());
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("cannot find a free port for Redis: " + e.getMessage(), e);
    }
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path candidate = Path.of(entry).resolve(name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
