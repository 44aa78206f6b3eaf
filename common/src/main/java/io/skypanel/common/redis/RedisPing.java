package io.skypanel.common.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Whether a Redis on a loopback port answers {@code PING}, over a plain socket: for a process that starts a
 * {@code redis-server} itself (the launcher's local Redis, tests' own servers) and must know when it serves, before
 * any Vert.x client exists. Every method blocks: call from a worker thread or before Vert.x serves anything.
 */
public final class RedisPing {

  private static final int CONNECT_TIMEOUT_MS = 500;
  private static final int READ_TIMEOUT_MS = 1000;
  private static final long POLL_MS = 50;

  private RedisPing() {
  }

  /** True when a Redis on 127.0.0.1:{@code port} answers {@code +PONG} now. */
  public static boolean ping(int port) {
    return probe(port) == null;
  }

  /**
   * Polls with PING until {@code +PONG}; fails when {@code exited} names a reason (the server process is gone, so
   * waiting longer is pointless) or when {@code timeout} passes, saying what the last attempt got.
   */
  public static void await(int port, Duration timeout, Supplier<String> exited) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastError = "no answer";
    while (System.nanoTime() < deadline) {
      String gone = exited.get();
      if (gone != null) {
        throw new IllegalStateException(gone);
      }
      lastError = probe(port);
      if (lastError == null) {
        return;
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Redis", e);
      }
    }
    throw new IllegalStateException("Redis on 127.0.0.1:" + port + " did not answer PING within " + timeout.toMillis() + " ms (" + lastError + ")");
  }

  /** Null when the server answered {@code +PONG}, else why not. */
  private static String probe(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[64];
      int read = in.read(buffer);
      return read > 0 && new String(buffer, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG") ? null : "unexpected answer to PING";
    } catch (IOException e) {
      return String.valueOf(e.getMessage());
    }
  }
}
