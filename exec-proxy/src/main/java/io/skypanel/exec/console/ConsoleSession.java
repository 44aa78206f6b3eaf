package io.skypanel.exec.console;

import io.skypanel.exec.ExecOptions;
import io.skypanel.exec.audit.AuditEnd;
import io.skypanel.exec.audit.Transcript;
import io.skypanel.exec.engine.ExecCalls;
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
  private static final Duration EXIT_WAIT = Duration.ofSeconds(2);
  private static final long ATTACH_WAIT_MS = 10_000;

  private final Vertx vertx;
  private final Context context;
  private final ExecSessions sessions;
  private final ExecSessions.Prepared prepared;
  private final ExecOptions options;
  private final ServerWebSocket ws;
  private final Transcript transcript;
  private final StdinPipe stdin;
  private final OutputGate gate = new OutputGate(OUTPUT_IN_FLIGHT);
  private final ConsoleTimers timers;
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
    this.timers = new ConsoleTimers(vertx, options);
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
    timers.start(ws, () -> lastActivity, this::terminate);
    prepared.engine().stream(docker -> docker.execStartCmd(prepared.execId())
            .withDetach(false)
            .withTty(true)
            .withStdIn(stdin)
            .exec(output()))
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
    ConsoleControl.Resize resize;
    try {
      resize = ConsoleControl.parse(text);
    } catch (ConsoleControl.Refused e) {
      reject(e.getMessage());
      return;
    }
    size = new int[] {resize.cols(), resize.rows()};
    if (transcript != null) {
      transcript.resize(resize.cols(), resize.rows());
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

  /** The exec's output, from docker-java's stream thread onto this session's context. */
  private ConsoleOutput output() {
    return new ConsoleOutput(gate, new ConsoleOutput.Listener() {
      @Override
      public void started(Closeable closeable) {
        stream = closeable;
        attached.tryComplete();
        if (ending) {
          ExecCalls.closeQuietly(closeable);
        }
      }

      @Override
      public void output(byte[] payload) {
        bytesOut.addAndGet(payload.length);
        lastActivity = System.nanoTime();
        if (transcript != null) {
          transcript.output(payload);
        }
        context.runOnContext(v -> deliver(payload));
      }

      @Override
      public void ended(Throwable error) {
        attached.tryComplete();
        context.runOnContext(v -> streamEnded(error));
      }
    });
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
    ExecCalls.stop(prepared.engine(), info().dockerContainerId(), info().id(), prepared.execId(), EXIT_WAIT)
        .onComplete(done -> {
          ExecCalls.Stopped stop = done.result();
          ExecCalls.closeQuietly(stream);
          finish(stop.stopped() ? reason : reason.noting("its processes could not be stopped"), stop.exitCode());
        });
  }

  private void stopInputs() {
    stdin.close();
    gate.release();
    timers.cancel();
  }

  private void finish(EndReason reason, Integer exitCode) {
    ExecCalls.closeQuietly(stream);
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

  /** A close frame's reason is at most 123 bytes. */
  private static String closeReason(String reason) {
    return reason.length() <= 120 ? reason : reason.substring(0, 120);
  }
}
