package io.skypanel.exec.exec;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
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
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.time.Duration;

/**
 * One one-off exec without a TTY: runs the command, keeps the first {@link ExecOptions#outputLimitBytes()} of
 * stdout and of stderr (counting the rest), and completes with the result once the process exits. When
 * {@code timeout_s} passes, an administrator kills it or the client goes away, its processes are stopped
 * ({@link ExecCalls#kill}) and the result says so. Audited like a console; recorded when the tier says so.
 */
final class OneShotExec implements LiveSession {

  private static final Logger LOG = LoggerFactory.getLogger(OneShotExec.class);
  private static final Duration EXIT_WAIT = Duration.ofSeconds(2);

  private final Vertx vertx;
  private final Context context;
  private final ExecSessions sessions;
  private final ExecSessions.Prepared prepared;
  private final Duration timeout;
  private final CappedOutput stdout;
  private final CappedOutput stderr;
  private final Transcript transcript;
  private final long startedNanos = System.nanoTime();
  private final Promise<JsonObject> result = Promise.promise();
  private final Promise<Void> ended = Promise.promise();
  private volatile Closeable stream;
  private boolean ending;
  private long timer = -1;

  OneShotExec(Vertx vertx, Context context, ExecSessions sessions, ExecSessions.Prepared prepared, Duration timeout) {
    this.vertx = vertx;
    this.context = context;
    this.sessions = sessions;
    this.prepared = prepared;
    this.timeout = timeout;
    int limit = sessions.options().outputLimitBytes();
    this.stdout = new CappedOutput(limit);
    this.stderr = new CappedOutput(limit);
    this.transcript = prepared.transcript()
        ? Transcript.start(sessions.options().transcriptLimitBytes(), 80, 24, String.join(" ", prepared.info().command()),
            prepared.info().startedAt())
        : null;
  }

  @Override
  public SessionInfo info() {
    return prepared.info();
  }

  /** Starts the exec; the future completes with the response body once the session has ended. */
  Future<JsonObject> run() {
    sessions.registry().attach(this);
    timer = vertx.setTimer(timeout.toMillis(), id -> terminate(EndReason.EXEC_TIMEOUT));
    prepared.engine().stream(docker -> docker.execStartCmd(prepared.execId())
            .withDetach(false)
            .withTty(false)
            .exec(new Output()))
        .onFailure(err -> {
          LOG.warn("exec {}: starting failed: {}", info().id(), err.getMessage());
          terminate(EndReason.failed("the exec could not be started"));
        });
    return result.future();
  }

  private final class Output implements ResultCallback<Frame> {

    @Override
    public void onStart(Closeable closeable) {
      stream = closeable;
    }

    @Override
    public void onNext(Frame frame) {
      byte[] payload = frame.getPayload();
      if (payload == null || payload.length == 0) {
        return;
      }
      (frame.getStreamType() == StreamType.STDERR ? stderr : stdout).add(payload);
      if (transcript != null) {
        transcript.output(payload);
      }
    }

    @Override
    public void onError(Throwable error) {
      context.runOnContext(v -> streamEnded(error));
    }

    @Override
    public void onComplete() {
      context.runOnContext(v -> streamEnded(null));
    }

    @Override
    public void close() {
      ExecCalls.closeQuietly(stream);
    }
  }

  private void streamEnded(Throwable error) {
    if (ending) {
      return;
    }
    ending = true;
    cancelTimer();
    ExecCalls.exitCode(prepared.engine(), prepared.execId(), EXIT_WAIT).otherwise((Integer) null).onComplete(done -> {
      Integer exitCode = done.result();
      if (exitCode == null && error != null) {
        LOG.warn("exec {}: the engine's stream failed: {}", info().id(), error.getMessage());
        stop(EndReason.failed("the engine's stream failed"));
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
    if (!ending) {
      ending = true;
      cancelTimer();
      stop(reason);
    }
    return ended.future();
  }

  private void stop(EndReason reason) {
    ExecCalls.stop(prepared.engine(), info().dockerContainerId(), info().id(), prepared.execId(), EXIT_WAIT)
        .onSuccess(stop -> finish(stop.stopped() ? reason : reason.noting("its processes could not be stopped"), stop.exitCode()));
  }

  private Void finish(EndReason reason, Integer exitCode) {
    ExecCalls.closeQuietly(stream);
    long durationMs = Duration.ofNanos(System.nanoTime() - startedNanos).toMillis();
    JsonObject body = new JsonObject()
        .put("id", info().id().toString())
        .put("status", reason.status())
        .put("exit_code", exitCode)
        .put("stdout", stdout.text())
        .put("stderr", stderr.text())
        .put("stdout_truncated", stdout.truncated())
        .put("stderr_truncated", stderr.truncated())
        .put("duration_ms", durationMs)
        .put("task_id", info().taskId());
    if (!"completed".equals(reason.status())) {
      body.put("end_reason", reason.reason());
    }
    byte[] recording = transcript == null ? null : transcript.finish();
    sessions.finish(info(), new AuditEnd(durationMs, exitCode, reason.status(), reason.reason(), 0, stdout.total() + stderr.total(), recording))
        .onComplete(done -> {
          result.tryComplete(body);
          ended.tryComplete();
        });
    return null;
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

}
