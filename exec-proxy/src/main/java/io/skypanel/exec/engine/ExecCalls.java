package io.skypanel.exec.engine;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import io.skypanel.common.errors.ApiException;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The short docker-java calls around an exec: create, resize, exit code, and stopping what a session started.
 *
 * <p>Why stopping needs work: the engine does not end an exec'd process when its client goes away, TTY or not
 * (measured on engine 20.10: {@code docker exec -it c sh} killed with SIGKILL leaves {@code sh} running). So every
 * exec gets the environment variable {@code SKYPANEL_EXEC_SESSION=<session id>}, which its children inherit, and
 * ending a session early runs a second, short exec that sends SIGHUP (what a terminal hangup sends) to every
 * process carrying that marker, waits up to two seconds, then SIGKILLs the survivors. That exec needs {@code sh},
 * {@code tr}, {@code grep}, {@code kill} and {@code sleep} in the image (busybox and every distribution base have
 * them); in an image without a shell the process keeps running and the audit's end reason says so. A process
 * that clears its environment escapes the marker.
 */
public final class ExecCalls {

  /** The environment variable marking every process of a session. */
  public static final String SESSION_ENV = "SKYPANEL_EXEC_SESSION";
  private static final Logger LOG = LoggerFactory.getLogger(ExecCalls.class);
  private static final long KILL_WAIT_SECONDS = 15;
  private static final long EXIT_POLL_MS = 50;
  static final String KILL_SCRIPT = String.join("\n",
      "pids=''",
      "for e in /proc/[0-9]*/environ; do",
      "  if tr '\\000' '\\n' < \"$e\" 2>/dev/null | grep -qx \"" + SESSION_ENV + "=$1\"; then",
      "    p=${e#/proc/}; pids=\"$pids ${p%/environ}\"",
      "  fi",
      "done",
      "[ -z \"$pids\" ] && exit 0",
      "kill -HUP $pids 2>/dev/null",
      "i=0",
      "while [ $i -lt 20 ]; do",
      "  alive=''",
      "  for p in $pids; do [ -e /proc/$p/environ ] && alive=\"$alive $p\"; done",
      "  [ -z \"$alive\" ] && exit 0",
      "  sleep 0.1; i=$((i+1))",
      "done",
      "kill -KILL $alive 2>/dev/null",
      "exit 0");

  private ExecCalls() {
  }

  /** Creates (does not start) an exec of {@code argv} in the task container; 409 when that container is gone. */
  public static Future<String> create(NodeEngine engine, String dockerContainerId, List<String> argv, boolean tty, UUID sessionId) {
    List<String> env = new ArrayList<>();
    env.add(SESSION_ENV + "=" + sessionId);
    if (tty) {
      env.add("TERM=xterm");
    }
    List<String> command = tty ? TtyPreamble.wrap(argv) : argv;
    return engine.call(docker -> docker.execCreateCmd(dockerContainerId)
            .withCmd(command.toArray(String[]::new))
            .withAttachStdin(tty)
            .withAttachStdout(true)
            .withAttachStderr(true)
            .withTty(tty)
            .withEnv(env)
            .exec()
            .getId())
        .recover(err -> {
          if (err instanceof NotFoundException || err instanceof ConflictException) {
            return Future.failedFuture(ApiException.conflict("container_not_running",
                "the task's container is not running any more; try again"));
          }
          LOG.warn("creating an exec in container {} on {} failed: {}", dockerContainerId, engine.name(), err.getMessage());
          return Future.failedFuture(ApiException.unavailable("orchestration_unavailable", "the Docker engine did not answer"));
        });
  }

  /** Sets the exec's TTY size. */
  public static Future<Void> resize(NodeEngine engine, String execId, int cols, int rows) {
    return engine.call(docker -> {
      docker.resizeExecCmd(execId).withSize(rows, cols).exec();
      return null;
    });
  }

  /**
   * The exit code once the engine reports the exec finished, waiting up to {@code wait} (its output stream may
   * end a moment before its state changes); null when it still runs or the engine does not know it.
   */
  public static Future<Integer> exitCode(NodeEngine engine, String execId, Duration wait) {
    return engine.call(docker -> {
      long deadline = System.nanoTime() + wait.toNanos();
      while (true) {
        InspectExecResponse state;
        try {
          state = docker.inspectExecCmd(execId).exec();
        } catch (NotFoundException e) {
          return null;
        }
        if (!Boolean.TRUE.equals(state.isRunning())) {
          Long code = state.getExitCodeLong();
          return code == null ? null : code.intValue();
        }
        if (System.nanoTime() > deadline) {
          return null;
        }
        pause(EXIT_POLL_MS);
      }
    });
  }

  /**
   * Ends every process of the session (see the class comment); completes with true when the stopping exec ran,
   * false when it could not (no shell in the image, container gone).
   */
  public static Future<Boolean> kill(NodeEngine engine, String dockerContainerId, UUID sessionId) {
    return engine.call(docker -> {
      String execId = docker.execCreateCmd(dockerContainerId)
          .withCmd("/bin/sh", "-c", KILL_SCRIPT, "skypanel-exec-stop", sessionId.toString())
          .withAttachStdout(true)
          .withAttachStderr(true)
          .exec()
          .getId();
      StringBuilder output = new StringBuilder();
      ResultCallback.Adapter<Frame> callback = docker.execStartCmd(execId).exec(new ResultCallback.Adapter<>() {
        @Override
        public void onNext(Frame frame) {
          if (output.length() < 1024) {
            output.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
          }
        }
      });
      try {
        if (!callback.awaitCompletion(KILL_WAIT_SECONDS, TimeUnit.SECONDS)) {
          LOG.warn("stopping session {} in container {} did not finish within {} s", sessionId, dockerContainerId, KILL_WAIT_SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } finally {
        closeQuietly(callback);
      }
      Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
      if (code == null || code != 0) {
        LOG.warn("stopping session {} in container {} exited {}: {}", sessionId, dockerContainerId, code, output.toString().strip());
        return false;
      }
      return true;
    }).otherwise(err -> {
      LOG.warn("stopping session {} in container {} failed: {}", sessionId, dockerContainerId, err.getMessage());
      return false;
    });
  }

  /** What stopping a session's processes achieved: whether the stopping exec ran, and the exec's exit code if known. */
  public record Stopped(boolean stopped, Integer exitCode) {
  }

  /**
   * {@link #kill} then the exec's {@link #exitCode}; when the kill ran but the exec still runs (a process that
   * started right after the stop), once more. Never fails.
   */
  public static Future<Stopped> stop(NodeEngine engine, String dockerContainerId, UUID sessionId, String execId, Duration wait) {
    return kill(engine, dockerContainerId, sessionId)
        .compose(stopped -> exitCode(engine, execId, wait).otherwise((Integer) null)
            .compose(code -> code != null || !stopped ? Future.succeededFuture(new Stopped(stopped, code))
                : kill(engine, dockerContainerId, sessionId)
                    .compose(again -> exitCode(engine, execId, wait).otherwise((Integer) null))
                    .map(late -> new Stopped(true, late))))
        .otherwise(err -> new Stopped(false, null));
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Closes an exec stream (or any callback), logging instead of failing: the stream may be gone already. */
  public static void closeQuietly(java.io.Closeable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.debug("closing an exec stream failed: {}", e.getMessage());
    }
  }

}
