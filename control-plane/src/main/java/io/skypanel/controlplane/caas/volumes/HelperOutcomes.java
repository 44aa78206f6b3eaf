package io.skypanel.controlplane.caas.volumes;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Task;
import com.github.dockerjava.api.model.TaskState;
import com.github.dockerjava.api.model.TaskStatus;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Reads how a helper task ended from Swarm's task list, and the end of its output when it failed. */
final class HelperOutcomes {

  private static final Set<TaskState> FAILED = Set.of(TaskState.FAILED, TaskState.REJECTED, TaskState.ORPHANED, TaskState.REMOVE,
      TaskState.SHUTDOWN);
  private static final int LOG_TAIL_CHARS = 400;

  private HelperOutcomes() {
  }

  /** Null while the task is still on its way; with restart condition none there is one task and it ends once. */
  static HelperTasks.Outcome of(List<Task> tasks) {
    for (Task task : tasks) {
      TaskStatus status = task.getStatus();
      TaskState state = status == null ? null : status.getState();
      if (state == TaskState.COMPLETE) {
        return new HelperTasks.Outcome(true, null);
      }
      if (state != null && FAILED.contains(state)) {
        StringBuilder message = new StringBuilder("the helper task ").append(state.getValue());
        if (status.getErr() != null && !status.getErr().isBlank()) {
          message.append(": ").append(status.getErr());
        } else if (status.getMessage() != null && !status.getMessage().isBlank()) {
          message.append(": ").append(status.getMessage());
        }
        return new HelperTasks.Outcome(false, message.toString());
      }
    }
    return null;
  }

  /** The end of a failed helper's output (e.g. tar's complaint), when its container is still there to ask. Worker thread only. */
  static String logTail(DockerClient docker, List<Task> tasks) {
    for (Task task : tasks) {
      if (task.getStatus() == null || task.getStatus().getContainerStatus() == null || task.getStatus().getContainerStatus().getContainerID() == null) {
        continue;
      }
      StringBuilder out = new StringBuilder();
      try {
        docker.logContainerCmd(task.getStatus().getContainerStatus().getContainerID()).withStdOut(true).withStdErr(true).withTail(5)
            .exec(new ResultCallback.Adapter<Frame>() {
              @Override
              public void onNext(Frame frame) {
                out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
              }
            }).awaitCompletion(10, TimeUnit.SECONDS);
      } catch (RuntimeException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      String text = out.toString().strip().replaceAll("\\s+", " ");
      if (text.isEmpty()) {
        return null;
      }
      return text.length() <= LOG_TAIL_CHARS ? text : "..." + text.substring(text.length() - LOG_TAIL_CHARS);
    }
    return null;
  }
}
