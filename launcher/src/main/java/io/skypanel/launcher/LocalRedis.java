package io.skypanel.launcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Redis server run by this process when {@code REDIS_URL} is unset: the {@code redis-server} found on
 * {@code PATH}, bound to 127.0.0.1 on a free port with its working directory in {@code <data dir>/redis},
 * or else the binary bundled with embedded-redis. Redis holds only short-lived state (rate limits,
 * challenges, pub/sub), so nothing is persisted. Every method blocks: call from a worker thread or
 * before Vert.x serves anything.
 */
public final class LocalRedis implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalRedis.class);
  private static final long READY_TIMEOUT_MS = 15_000;
  private static final int ATTEMPTS = 3;

  private final int port;
  private final String kind;
  private final Process process;
  private final RedisServer embedded;
  private final Path pidFile;

  private LocalRedis(int port, String kind, Process process, RedisServer embedded, Path pidFile) {
    this.port = port;
    this.kind = kind;
    this.process = process;
    this.embedded = embedded;
    this.pidFile = pidFile;
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
        return binary.isPresent() ? spawn(binary.get(), dir, port) : embedded(dir, port);
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

  private static LocalRedis spawn(Path binary, Path dir, int port) {
    Path log = dir.resolve("redis.log");
    Path pidFile = dir.resolve("redis-server.pid");
    stopOrphan(pidFile);
    List<String> command = List.of(binary.toString(),
        "--bind", "127.0.0.1",
        "--port", Integer.toString(port),
        "--dir", dir.toString(),
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--protected-mode", "yes",
        "--logfile", "");
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
    return new LocalRedis(port, "redis-server", process, null, pidFile);
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
    return new LocalRedis(port, "embedded-redis", null, server, null);
  }

  /** Stops the server (SIGTERM, then SIGKILL after 10 s). Blocking; never throws. */
  @Override
  public void close() {
    if (process != null) {
      stopProcess(process);
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
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
    String lastError = "no answer";
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException("redis-server exited with code " + process.exitValue() + " before answering PING: " + lastLine(log));
      }
      try {
        if (ping(port)) {
          return;
        }
        lastError = "unexpected answer to PING";
      } catch (IOException e) {
        lastError = e.getMessage();
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Redis", e);
      }
    }
    throw new IllegalStateException("Redis on 127.0.0.1:" + port + " did not answer PING within " + READY_TIMEOUT_MS + " ms (" + lastError + ")");
  }

  private static boolean ping(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[64];
      int read = in.read(buffer);
      return read > 0 && new String(buffer, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
    }
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
