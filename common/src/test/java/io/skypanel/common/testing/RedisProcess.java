package io.skypanel.common.testing;

import io.skypanel.common.redis.RedisPing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of a test's own, on a free loopback port, for tests that must kill and restart Redis
 * (the shared one at 6379 is never touched). Nothing is persisted; its log goes to a temporary directory.
 */
public final class RedisProcess implements AutoCloseable {

  private static final Duration READY = Duration.ofSeconds(15);

  private final int port;
  private final Path directory;
  private Process process;

  private RedisProcess(int port, Path directory) {
    this.port = port;
    this.directory = directory;
  }

  /** Starts {@code redis-server} (from PATH) on a free port and returns once it answers PING. */
  public static RedisProcess start() {
    try {
      RedisProcess redis = new RedisProcess(freePort(), Files.createTempDirectory("skypanel-test-redis"));
      redis.restart();
      return redis;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  /** The server's process, while it runs. */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  /** SIGKILL, as a crash would end it, and waits for the process to be gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server (pid " + process.pid() + ") did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts the server again on the same port (it must not be running) and returns once it answers PING. */
  public void restart() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis-server is still running");
    }
    try {
      process = new ProcessBuilder(List.of("redis-server", "--bind", "127.0.0.1", "--port", Integer.toString(port),
          "--save", "", "--appendonly", "no", "--dir", directory.toString()))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("redis.log").toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run redis-server (is it on PATH?): " + e.getMessage(), e);
    }
    RedisPing.await(port, READY, () -> process.isAlive() ? null : "redis-server exited: " + log());
  }

  private String log() {
    try {
      return Files.readString(directory.resolve("redis.log"));
    } catch (IOException e) {
      return "(its log is unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      kill();
    }
  }

  /** True when a Redis on 127.0.0.1:{@code port} answers {@code +PONG}. */
  public static boolean ping(int port) {
    return RedisPing.ping(port);
  }

  /** A loopback port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
