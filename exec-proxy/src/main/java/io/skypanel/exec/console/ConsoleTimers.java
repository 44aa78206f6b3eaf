package io.skypanel.exec.console;

import io.skypanel.exec.ExecOptions;
import io.skypanel.exec.sessions.EndReason;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A console's clocks: it ends when idle longer than {@link ExecOptions#idleTimeout()} or older than
 * {@link ExecOptions#maxSession()}, and its WebSocket is pinged meanwhile so the HTTP server's idle timeout and
 * proxies in between keep it (a ping is not session activity).
 */
final class ConsoleTimers {

  private static final long PING_MS = 30_000;

  private final Vertx vertx;
  private final ExecOptions options;
  private long idleTimer = -1;
  private long maxTimer = -1;
  private long pingTimer = -1;

  ConsoleTimers(Vertx vertx, ExecOptions options) {
    this.vertx = vertx;
    this.options = options;
  }

  /** Starts the clocks; {@code lastActivity} is a {@link System#nanoTime()} reading. Runs on the session's context. */
  void start(ServerWebSocket ws, LongSupplier lastActivity, Consumer<EndReason> end) {
    long idleMs = options.idleTimeout().toMillis();
    idleTimer = vertx.setPeriodic(Math.max(250, Math.min(idleMs / 4, 5000)), id -> {
      if (System.nanoTime() - lastActivity.getAsLong() > options.idleTimeout().toNanos()) {
        end.accept(EndReason.IDLE);
      }
    });
    maxTimer = vertx.setTimer(options.maxSession().toMillis(), id -> end.accept(EndReason.MAX_DURATION));
    pingTimer = vertx.setPeriodic(PING_MS, id -> {
      if (!ws.isClosed()) {
        ws.writePing(Buffer.buffer());
      }
    });
  }

  void cancel() {
    for (long timer : new long[] {idleTimer, maxTimer, pingTimer}) {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
    }
    idleTimer = maxTimer = pingTimer = -1;
  }
}
