package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.skypanel.common.docker.DockerEngine;
import io.vertx.core.Future;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A short command inside a running task container of a service on this engine (an engine exec, no TTY, no stdin),
 * for the platform's own look into a task (an add-on server's figures). The whole exec runs on the slow pool: it
 * holds a stream open until the command ends.
 */
final class SwarmExec {

  /** Output kept per stream: the commands this serves print a few lines. */
  static final int OUTPUT_LIMIT = 64 * 1024;

  private final DockerEngine engine;
  private final SwarmTasks tasks;

  SwarmExec(DockerEngine engine, SwarmTasks tasks) {
    this.engine = engine;
    this.tasks = tasks;
  }

  /** Null when the service has no running task on this engine. */
  Future<Orchestrator.ExecResult> exec(String serviceId, List<String> command, Duration timeout) {
    return engine.callSlow(docker -> {
      List<SwarmTasks.LocalTask> running = tasks.runningHere(docker, serviceId);
      return running.isEmpty() ? null : run(docker, running.get(0).containerId(), command, timeout);
    });
  }

  private static Orchestrator.ExecResult run(DockerClient docker, String containerId, List<String> command, Duration timeout)
      throws InterruptedException, IOException {
    String execId = docker.execCreateCmd(containerId).withCmd(command.toArray(String[]::new))
        .withAttachStdout(true).withAttachStderr(true).withAttachStdin(false).withTty(false).exec().getId();
    Output output = new Output();
    try (output) {
      docker.execStartCmd(execId).withDetach(false).withTty(false).exec(output);
      if (!output.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new OrchestrationException("the command in task container " + containerId + " did not end within " + timeout.toSeconds() + " s");
      }
    }
    Long exit = docker.inspectExecCmd(execId).exec().getExitCodeLong();
    return new Orchestrator.ExecResult(exit == null ? -1 : exit.intValue(), output.stdout.toString(StandardCharsets.UTF_8),
        output.stderr.toString(StandardCharsets.UTF_8));
  }

  /** Collects stdout and stderr up to {@link #OUTPUT_LIMIT} each. */
  private static final class Output extends ResultCallback.Adapter<Frame> {
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    @Override
    public void onNext(Frame frame) {
      byte[] payload = frame.getPayload();
      ByteArrayOutputStream target = frame.getStreamType() == StreamType.STDERR ? stderr : stdout;
      if (payload != null) {
        synchronized (target) {
          target.write(payload, 0, Math.min(payload.length, Math.max(0, OUTPUT_LIMIT - target.size())));
        }
      }
    }
  }
}
