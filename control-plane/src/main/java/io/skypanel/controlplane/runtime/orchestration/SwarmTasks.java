package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.transport.DockerHttpClient;
import io.skypanel.common.docker.Labels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A service's tasks as the engine reports them. Tasks are read as JSON ({@code GET /tasks}): docker-java's Task
 * model drops parts of what the engine sends, network attachments among them. Call only inside an engine call.
 */
final class SwarmTasks {

  private static final int CACHE_LIMIT = 4096;

  /** Image ids of task containers on this engine, by container id: they never change, so one inspect each. */
  private final Map<String, String> containerImages = new ConcurrentHashMap<>();
  private volatile String localNodeId;

  /** A running task whose container is on this engine. */
  record LocalTask(String taskId, String containerId) {
  }

  /** The service's tasks, unsorted. */
  List<ServiceState.Task> tasks(DockerClient docker, String serviceId) throws IOException {
    String local = localNodeId(docker);
    List<ServiceState.Task> tasks = new ArrayList<>();
    for (JsonObject task : listTasks(docker, serviceId)) {
      tasks.add(toTask(docker, task, local));
    }
    return tasks;
  }

  /** The service's running tasks whose containers run on this engine (the only ones it can sample). */
  List<LocalTask> runningHere(DockerClient docker, String serviceId) throws IOException {
    String local = localNodeId(docker);
    List<LocalTask> running = new ArrayList<>();
    for (JsonObject task : listTasks(docker, serviceId)) {
      JsonObject status = task.getJsonObject("Status", new JsonObject());
      String containerId = blankToNull(status.getJsonObject("ContainerStatus", new JsonObject()).getString("ContainerID"));
      if ("running".equals(status.getString("State")) && "running".equals(task.getString("DesiredState"))
          && containerId != null && local != null && local.equals(task.getString("NodeID"))) {
        running.add(new LocalTask(task.getString("ID"), containerId));
      }
    }
    return running;
  }

  private ServiceState.Task toTask(DockerClient docker, JsonObject task, String localNode) {
    JsonObject status = task.getJsonObject("Status", new JsonObject());
    String state = status.getString("State");
    String nodeId = task.getString("NodeID");
    JsonObject containerStatus = status.getJsonObject("ContainerStatus", new JsonObject());
    String containerId = blankToNull(containerStatus.getString("ContainerID"));
    String specImage = task.getJsonObject("Spec", new JsonObject()).getJsonObject("ContainerSpec", new JsonObject()).getString("Image");
    String address = "running".equals(state) ? internalAddress(task) : null;
    String digest = imageDigest(docker, specImage, containerId, nodeId, localNode);
    return new ServiceState.Task(task.getString("ID"), nodeId, task.getInteger("Slot", 0), state,
        task.getString("DesiredState"), status.getString("Message"), blankToNull(status.getString("Err")), containerId,
        digest, address, instant(task.getString("UpdatedAt")));
  }

  /**
   * The task's IPv4 address on its organization's internal network (the network labelled
   * {@code skypanel.network=internal}), where the edge gateways reach it; null when it has none.
   */
  static String internalAddress(JsonObject task) {
    JsonArray attachments = task.getJsonArray("NetworksAttachments", new JsonArray());
    for (int i = 0; i < attachments.size(); i++) {
      JsonObject attachment = attachments.getJsonObject(i);
      JsonObject labels = attachment.getJsonObject("Network", new JsonObject()).getJsonObject("Spec", new JsonObject())
          .getJsonObject("Labels", new JsonObject());
      if (!Labels.NETWORK_INTERNAL.equals(labels.getString(Labels.NETWORK))) {
        continue;
      }
      JsonArray addresses = attachment.getJsonArray("Addresses", new JsonArray());
      for (int j = 0; j < addresses.size(); j++) {
        String cidr = addresses.getString(j);
        String ip = cidr.contains("/") ? cidr.substring(0, cidr.indexOf('/')) : cidr;
        if (!ip.contains(":")) {
          return ip;
        }
      }
    }
    return null;
  }

  /**
   * {@code sha256:...} of what the task runs: the digest pinned in its image reference, else the image id of its
   * container when that container is on this engine (images that never went through a registry have no
   * repository digest), else null.
   */
  private String imageDigest(DockerClient docker, String specImage, String containerId, String nodeId, String localNode) {
    if (specImage != null) {
      int at = specImage.indexOf("@sha256:");
      if (at >= 0) {
        return specImage.substring(at + 1);
      }
      if (specImage.startsWith("sha256:")) {
        return specImage;
      }
    }
    if (containerId == null || localNode == null || !localNode.equals(nodeId)) {
      return null;
    }
    String cached = containerImages.get(containerId);
    if (cached != null) {
      return cached;
    }
    try {
      String imageId = docker.inspectContainerCmd(containerId).exec().getImageId();
      if (imageId != null) {
        if (containerImages.size() > CACHE_LIMIT) {
          containerImages.clear();
        }
        containerImages.put(containerId, imageId);
      }
      return imageId;
    } catch (NotFoundException e) {
      return null;
    }
  }

  /** The engine's own Swarm node id, asked once; null when the engine is not in a swarm. */
  String localNodeId(DockerClient docker) {
    String id = localNodeId;
    if (id == null) {
      var swarm = docker.infoCmd().exec().getSwarm();
      id = swarm == null ? null : blankToNull(swarm.getNodeID());
      localNodeId = id;
    }
    return id;
  }

  /** {@code GET /tasks?filters={"service":[id]}} as JSON. */
  private static List<JsonObject> listTasks(DockerClient docker, String serviceId) throws IOException {
    String filters = new JsonObject().put("service", new JsonArray().add(serviceId)).encode();
    DockerHttpClient.Request request = DockerHttpClient.Request.builder()
        .method(DockerHttpClient.Request.Method.GET)
        .path("/tasks?filters=" + EngineApi.encode(filters))
        .build();
    JsonArray array = new JsonArray(new String(EngineApi.execute(docker, request), StandardCharsets.UTF_8));
    List<JsonObject> tasks = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      tasks.add(array.getJsonObject(i));
    }
    return tasks;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static Instant instant(String value) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
