package io.skypanel.launcher;

import io.skypanel.common.redis.RedisPing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One {@code redis-server} process of {@link LocalRedis}: started in a session of its own, awaited until it
 * answers PING, stopped (SIGTERM, then SIGKILL), and an orphan of an earlier run found by its pid file and
 * stopped. Every method blocks.
 */
final class RedisServerProcess {

  private static final Logger LOG = LoggerFactory.getLogger(RedisServerProcess.class);
  static final long READY_TIMEOUT_MS = 15_000;

  private RedisServerProcess() {
  }

  /** Starts redis-server on {@code port} and returns once it answers PING; records its pid. */
  static Process spawn(Path binary, Path dir, int port) {
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

  static void stopProcess(Process process) {
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

  /** Polls with PING until {@code +PONG}, the process exits, or the deadline passes. */
  static void awaitPing(int port, Process process, Path log) {
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

  static Optional<Path> onPath(String name) {
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
