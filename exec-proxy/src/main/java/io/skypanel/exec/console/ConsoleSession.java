package io.skypanel.exec.console;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.skypanel.exec.ExecOptions;
import io.skypanel.exec.audit.AuditEnd;
import io.skypanel.exec.audit.Transcript;
import io.skypanel.exec.engine.ExecCalls;
import io.skypanel.exec.engine.TtyPreamble;
import io.skypanel.exec.sessions.EndReason;
import io.skypanel.exec.sessions.ExecSessions;
import io.skypanel.exec.sessions.LiveSession;
import io.skypanel.exec.sessions.SessionInfo;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One interactive console: a WebSocket bridged to a {@code docker exec} with a TTY.
 *
 * <ul>
 *   <li>binary frames from the client are the exec's stdin ({@link StdinPipe}; the WebSocket is paused while the
 *       engine is behind), binary frames to the client its output ({@link OutputGate}: the engine's stream thread
 *       waits while the WebSocket's write queue is full);</li>
 *   <li>text frames are control messages: {@code {"type":"resize","cols":..,"rows":..}};</li>
 *   <li>the session ends when the process exits, the client goes, it is idle or too old, or an administrator kills
 *       it. Whatever ends it, the exec's processes are stopped ({@link ExecCalls#kill}), the client gets
 *       {@code {"type":"exit","exit_code":N,...}} and a close code ({@link EndReason}), the audit row is closed
 *       and the slot freed.</li>
 * </ul>
 *
 * All state changes happen on the verticle's context; the stream thread only waits, counts and hands over.
 */
public final class ConsoleSession implements LiveSession {

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleSession.class);
  private static final int STDIN_HIGH_WATER = 64 * 1024;
  private static final int STDIN_LOW_WATER = 16 * 1024;
  private static final long OUTPUT_IN_FLIGHT = 64 * 1024;
  private static final long PING_MS = 30_000;
  private static final Duration EXIT_WAIT = Duration.ofSeconds(2);
  private static final long ATTACH_WAIT_MS = 10_000;
  private static final int MAX_DIMENSION = 1000;

  private final Vertx vertx;
  private final Context context;
  private final ExecSessions sessions;
  private final ExecSessions.Prepared prepared;
  private final ExecOptions options;
  private final ServerWebSocket ws;
  private final Transcript transcript;
  private final StdinPipe stdin;
  private final OutputGate gate = new OutputGate(OUTPUT_IN_FLIGHT);
  private final AtomicLong bytesIn = new AtomicLong();
  private final AtomicLong bytesOut = new AtomicLong();
  private final long startedNanos = System.nanoTime();
  private final Promise<Void> attached = Promise.promise();
  private final Promise<Void> ended = Promise.promise();
  private volatile long lastActivity = System.nanoTime();
  private volatile Closeable stream;
  private volatile boolean ending;
  private boolean stdinPaused;
  private int[] size;
  private boolean execStarted;
  private long idleTimer = -1;
  private long maxTimer = -1;
  private long pingTimer = -1;

  ConsoleSession(Vertx vertx, Context context, ExecSessions sessions, ExecSessions.Prepared prepared, ServerWebSocket ws,
                 int[] initialSize) {
    this.vertx = vertx;
    this.context = context;
    this.sessions = sessions;
    this.prepared = prepared;
    this.options = sessions.options();
    this.ws = ws;
    this.size = initialSize;
    this.transcript = prepared.transcript()
        ? Transcript.start(options.transcriptLimitBytes(), initialSize == null ? 80 : initialSize[0], initialSize == null ? 24 : initialSize[1],
            String.join(" ", prepared.info().command()), prepared.info().startedAt())
        : null;
    this.stdin = new StdinPipe(STDIN_HIGH_WATER, STDIN_LOW_WATER, () -> context.runOnContext(v -> resumeInput()));
  }

  @Override
  public SessionInfo info() {
    return prepared.info();
  }

  /** Wires the WebSocket, starts the exec and the timers. Runs on the verticle's context. */
  void start() {
    sessions.registry().attach(this);
    ws.binaryMessageHandler(this::input);
    ws.textMessageHandler(this::control);
    ws.closeHandler(v -> terminate(EndReason.CLIENT_CLOSED));
    ws.exceptionHandler(err -> LOG.debug("console {} WebSocket error: {}", info().id(), err.getMessage()));
    long idleMs = options.idleTimeout().toMillis();
    idleTimer = vertx.setPeriodic(Math.max(250, Math.min(idleMs / 4, 5000)), id -> {
      if (System.nanoTime() - lastActivity > options.idleTimeout().toNanos()) {
        terminate(EndReason.IDLE);
      }
    });
    maxTimer = vertx.setTimer(options.maxSession().toMillis(), id -> terminate(EndReason.MAX_DURATION));
    // keeps the connection busy for the HTTP server's idle timeout and proxies in between; not session activity
    pingTimer = vertx.setPeriodic(PING_MS, id -> {
      if (!ws.isClosed()) {
        ws.writePing(Buffer.buffer());
      }
    });
    prepared.engine().stream(docker -> docker.execStartCmd(prepared.execId())
            .withDetach(false)
            .withTty(true)
            .withStdIn(stdin)
            .exec(new OutputCallback()))
        .onComplete(started -> {
          if (started.failed()) {
            LOG.warn("console {}: starting the exec failed: {}", info().id(), started.cause().getMessage());
            attached.tryComplete();
            terminate(EndReason.failed("the exec could not be started"));
            return;
          }
          execStarted = true;
          applySize();
        });
  }

  // ------------------------------------------------------------------------------------------ client to exec

  private void input(Buffer data) {
    if (ending) {
      return;
    }
    byte[] bytes = data.getBytes();
    bytesIn.addAndGet(bytes.length);
    lastActivity = System.nanoTime();
    if (transcript != null) {
      transcript.input(bytes);
    }
    if (!stdin.offer(bytes) && !stdinPaused) {
      stdinPaused = true;
      ws.pause();
    }
  }

  private void resumeInput() {
    if (stdinPaused && !ending) {
      stdinPaused = false;
      ws.resume();
    }
  }

  private void control(String text) {
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (RuntimeException e) {
      reject("control messages are JSON objects, e.g. {\"type\":\"resize\",\"cols\":120,\"rows\":40}");
      return;
    }
    if (!"resize".equals(message.getValue("type"))) {
      reject("unknown control message type; the only one is resize");
      return;
    }
    Object cols = message.getValue("cols");
    Object rows = message.getValue("rows");
    if (!(cols instanceof Integer c) || !(rows instanceof Integer r) || c < 1 || r < 1 || c > MAX_DIMENSION || r > MAX_DIMENSION) {
      reject("resize needs integer cols and rows between 1 and " + MAX_DIMENSION);
      return;
    }
    size = new int[] {c, r};
    if (transcript != null) {
      transcript.resize(c, r);
    }
    applySize();
  }

  private void reject(String message) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(new JsonObject().put("type", "error").put("message", message).encode());
    }
  }

  private void applySize() {
    int[] wanted = size;
    if (!execStarted || ending || wanted == null) {
      return;
    }
    ExecCalls.resize(prepared.engine(), prepared.execId(), wanted[0], wanted[1])
        .onFailure(err -> LOG.debug("console {}: resize failed: {}", info().id(), err.getMessage()));
  }

  // ------------------------------------------------------------------------------------------ exec to client

  /** Runs on docker-java's stream thread. */
  private final class OutputCallback implements ResultCallback<Frame> {

    @Override
    public void onStart(Closeable closeable) {
      stream = closeable;
      attached.tryComplete();
      if (ending) {
        closeQuietly(closeable);
      }
    }

    /** The TTY preamble (see {@link TtyPreamble}) never counts as output. */
    private final TtyPreamble.Stripper preamble = new TtyPreamble.Stripper();

    @Override
    public void onNext(Frame frame) {
      byte[] payload = frame.getPayload() == null ? null : preamble.strip(frame.getPayload());
      if (payload == null || payload.length == 0) {
        return;
      }
      try {
        gate.acquire(payload.length);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      bytesOut.addAndGet(payload.length);
      lastActivity = System.nanoTime();
      if (transcript != null) {
        transcript.output(payload);
      }
      context.runOnContext(v -> deliver(payload));
    }

    @Override
    public void onError(Throwable error) {
      attached.tryComplete();
      context.runOnContext(v -> streamEnded(error));
    }

    @Override
    public void onComplete() {
      attached.tryComplete();
      context.runOnContext(v -> streamEnded(null));
    }

    @Override
    public void close() {
      Closeable current = stream;
      if (current != null) {
        closeQuietly(current);
      }
    }
  }

  private void deliver(byte[] payload) {
    gate.delivered(payload.length);
    if (ws.isClosed()) {
      return;
    }
    ws.writeBinaryMessage(Buffer.buffer(payload));
    if (ws.writeQueueFull()) {
      gate.shut();
      ws.drainHandler(v -> gate.open());
    }
  }

  // ------------------------------------------------------------------------------------------ the end

  /** The engine ended the output stream: the process exited (or the engine failed). */
  private void streamEnded(Throwable error) {
    if (ending) {
      return; // we are stopping it ourselves; terminate() finishes the session
    }
    ending = true;
    stopInputs();
    ExecCalls.exitCode(prepared.engine(), prepared.execId(), EXIT_WAIT).otherwise((Integer) null).onComplete(done -> {
      Integer exitCode = done.result();
      if (exitCode == null && error != null) {
        LOG.warn("console {}: the engine's stream failed: {}", info().id(), error.getMessage());
        // the process may still run: stop it like any session ended early
        stopProcesses(EndReason.failed("the engine's stream failed"));
        return;
      }
      finish(EndReason.exited(exitCode), exitCode);
    });
  }

  @Override
  public Future<Void> terminate(EndReason reason) {
    if (context != Vertx.currentContext()) {
      context.runOnContext(v -> terminate(reason));
      return ended.future();
    }
    if (ending) {
      return ended.future();
    }
    ending = true;
    stopInputs();
    // a stop sent before the engine attached the exec could miss a process that starts right after it
    Future<Void> attachedOrLate = Future.any(attached.future(), timer(ATTACH_WAIT_MS)).mapEmpty();
    attachedOrLate.onComplete(x -> stopProcesses(reason));
    return ended.future();
  }

  private void stopProcesses(EndReason reason) {
    ExecCalls.kill(prepared.engine(), info().dockerContainerId(), info().id())
        .compose(stopped -> ExecCalls.exitCode(prepared.engine(), prepared.execId(), EXIT_WAIT).otherwise((Integer) null)
            .compose(code -> code != null || !stopped ? Future.succeededFuture(new Stop(stopped, code))
                // started after the first stop: once more
                : ExecCalls.kill(prepared.engine(), info().dockerContainerId(), info().id())
                    .compose(again -> ExecCalls.exitCode(prepared.engine(), prepared.execId(), EXIT_WAIT).otherwise((Integer) null))
                    .map(late -> new Stop(true, late))))
        .onComplete(done -> {
          Stop stop = done.succeeded() ? done.result() : new Stop(false, null);
          closeQuietly(stream);
          EndReason outcome = stop.stopped() ? reason : reason.noting("its processes could not be stopped");
          finish(outcome, stop.exitCode());
        });
  }

  private record Stop(boolean stopped, Integer exitCode) {
  }

  private void stopInputs() {
    stdin.close();
    gate.release();
    cancel(idleTimer);
    cancel(maxTimer);
    cancel(pingTimer);
  }

  private void finish(EndReason reason, Integer exitCode) {
    closeQuietly(stream);
    if (!ws.isClosed()) {
      ws.writeTextMessage(new JsonObject()
          .put("type", "exit")
          .put("session_id", info().id().toString())
          .put("exit_code", exitCode)
          .put("status", reason.status())
          .put("reason", reason.reason())
          .encode());
      ws.close(reason.closeCode(), closeReason(reason.reason()));
    }
    long durationMs = Duration.ofNanos(System.nanoTime() - startedNanos).toMillis();
    byte[] recording = transcript == null ? null : transcript.finish();
    sessions.finish(info(), new AuditEnd(durationMs, exitCode, reason.status(), reason.reason(), bytesIn.get(), bytesOut.get(), recording))
        .onComplete(done -> ended.tryComplete());
  }

  private Future<Void> timer(long delayMs) {
    Promise<Void> fired = Promise.promise();
    vertx.setTimer(delayMs, id -> fired.tryComplete());
    return fired.future();
  }

  private void cancel(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** A close frame's reason is at most 123 bytes. */
  private static String closeReason(String reason) {
    return reason.length() <= 120 ? reason : reason.substring(0, 120);
  }

  private static void closeQuietly(Closeable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing an exec stream failed: {}", e.getMessage());
    }
  }
}
