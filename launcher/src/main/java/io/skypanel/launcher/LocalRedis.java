package io.skypanel.launcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private static final long READY_TIMEOUT_MS = RedisServerProcess.READY_TIMEOUT_MS;
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
    Optional<Path> binary = RedisServerProcess.onPath("redis-server");
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      // a free port can be taken between probing and binding; another port is tried then
      int port = freePort();
      try {
        return binary.isPresent() ? new LocalRedis(port, binary.get(), dir, RedisServerProcess.spawn(binary.get(), dir, port)) : embedded(dir, port);
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
      started = RedisServerProcess.spawn(binary, directory, port);
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
    RedisServerProcess.stopProcess(started);
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
      RedisServerProcess.awaitPing(port, null, null);
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
      RedisServerProcess.stopProcess(running);
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

  private static void stopEmbedded(RedisServer server) {
    try {
      server.stop();
    } catch (IOException | RuntimeException e) {
      LOG.warn("embedded Redis did not stop cleanly: {}", e.getMessage());
    }
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

}
