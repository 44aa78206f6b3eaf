package io.skypanel.exec.engine;

import io.skypanel.common.docker.Labels;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.Task;
import com.github.dockerjava.api.model.TaskState;
import io.skypanel.common.errors.ApiException;
import io.skypanel.exec.access.ContainerRef;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Picks the task an exec runs in: the one the caller named, or the running task with the lowest slot. Tasks are
 * listed on the Swarm manager (the local engine) by the container's service id, and only tasks whose container
 * carries the container's label ({@code skypanel.container}, or {@code skypanel.run} for a run) count, so a stale service id never leads into another
 * container.
 */
public final class TaskLocator {

  private static final Logger LOG = LoggerFactory.getLogger(TaskLocator.class);
  private static final Pattern TASK_ID = Pattern.compile("[a-z0-9]{1,64}");

  private final NodeEngines engines;

  public TaskLocator(NodeEngines engines) {
    this.engines = engines;
  }

  /** Validates a task id given by a client (400 when malformed); null stays null. */
  public static String taskParameter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    if (!TASK_ID.matcher(value).matches()) {
      throw ApiException.validation("task must be a Swarm task id", null);
    }
    return value;
  }

  public Future<TaskRef> locate(ContainerRef container, String requestedTask) {
    NodeEngine manager;
    try {
      manager = engines.local();
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    return manager.call(docker -> {
          try {
            return docker.listTasksCmd().withServiceFilter(container.serviceId()).exec();
          } catch (NotFoundException e) {
            return List.<Task>of();
          }
        })
        .recover(err -> {
          LOG.warn("listing the tasks of container {} failed: {}", container.id(), err.getMessage());
          return Future.failedFuture(ApiException.unavailable("orchestration_unavailable", "the Docker engine did not answer"));
        })
        .compose(tasks -> {
          try {
            return Future.succeededFuture(choose(tasks, container, requestedTask));
          } catch (ApiException e) {
            return Future.failedFuture(e);
          }
        });
  }

  static TaskRef choose(List<Task> tasks, ContainerRef container, String requestedTask) {
    List<Task> ours = tasks.stream().filter(task -> belongsTo(task, container)).toList();
    if (requestedTask != null) {
      Task named = ours.stream().filter(task -> requestedTask.equals(task.getId())).findFirst()
          .orElseThrow(() -> ApiException.notFound("task"));
      if (!running(named)) {
        throw ApiException.conflict("task_not_running", "task " + requestedTask + " is not running");
      }
      return ref(named);
    }
    return ours.stream().filter(TaskLocator::running)
        .min(Comparator.comparing((Task task) -> task.getSlot() == null ? Integer.MAX_VALUE : task.getSlot()).thenComparing(Task::getId))
        .map(TaskLocator::ref)
        .orElseThrow(() -> ApiException.conflict("container_not_running", "container " + container.name() + " has no running task"));
  }

  private static boolean belongsTo(Task task, ContainerRef container) {
    ContainerSpec spec = task.getSpec() == null ? null : task.getSpec().getContainerSpec();
    Map<String, String> labels = spec == null ? null : spec.getLabels();
    return labels != null && container.id().toString().equals(labels.get(container.label()));
  }

  private static boolean running(Task task) {
    return task.getStatus() != null && task.getStatus().getState() == TaskState.RUNNING
        && task.getDesiredState() == TaskState.RUNNING
        && task.getStatus().getContainerStatus() != null && task.getStatus().getContainerStatus().getContainerID() != null;
  }

  private static TaskRef ref(Task task) {
    return new TaskRef(task.getId(), task.getNodeId(), task.getStatus().getContainerStatus().getContainerID(),
        task.getSlot() == null ? 0 : task.getSlot());
  }
}
