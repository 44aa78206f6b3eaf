package io.skypanel.controlplane.caas.containers;

import io.skypanel.common.errors.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What a customer asks a container to be, checked beyond what the OpenAPI schema can say (names, paths,
 * duplicates). The same shape is stored as {@code previous_spec} for one-step rollback.
 */
public record ContainerSpec(String imageRef, List<String> entrypoint, List<String> cmd, Map<String, String> env,
                            List<Port> ports, List<Mount> volumes, JsonObject healthcheck, double cpu, int memoryMb,
                            int replicas, String restartPolicy) {

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
  private static final Pattern MOUNT_PATH = Pattern.compile("/[A-Za-z0-9._/-]{0,254}");
  /** Mount points that would shadow the system or reach the engine. */
  private static final Set<String> FORBIDDEN_MOUNTS = Set.of("/", "/proc", "/sys", "/dev", "/etc", "/bin", "/sbin", "/lib",
      "/usr", "/run", "/run/secrets", "/var/run", "/var/run/docker.sock", "/tmp");

  /** A container port; public ports are reachable through the edge router. */
  public record Port(int containerPort, String protocol, boolean isPublic) {
    JsonObject toJson() {
      return new JsonObject().put("container_port", containerPort).put("protocol", protocol).put("public", isPublic);
    }
  }

  /** A named volume of the same organization mounted at {@code mountPath}. */
  public record Mount(UUID volumeId, String mountPath, boolean readOnly) {
    JsonObject toJson() {
      return new JsonObject().put("volume_id", volumeId.toString()).put("mount_path", mountPath).put("read_only", readOnly);
    }
  }

  /** Reads a create request (already validated against the OpenAPI schema). */
  public static ContainerSpec fromRequest(JsonObject body) {
    JsonObject resources = body.getJsonObject("resources", new JsonObject());
    return new ContainerSpec(
        body.getString("image_ref"),
        strings(body.getJsonArray("entrypoint")),
        strings(body.getJsonArray("cmd")),
        env(body.getJsonObject("env_vars", new JsonObject())),
        ports(body.getJsonArray("ports", new JsonArray())),
        mounts(body.getJsonArray("volumes", new JsonArray())),
        body.getJsonObject("healthcheck"),
        resources.getDouble("cpu", 0.5),
        resources.getInteger("memory_mb", 256),
        body.getInteger("replicas", 1),
        body.getString("restart_policy", "any")).validated();
  }

  /** Reads the stored form ({@link #toJson()}). */
  public static ContainerSpec fromJson(JsonObject json) {
    return new ContainerSpec(json.getString("image_ref"), strings(json.getJsonArray("entrypoint")), strings(json.getJsonArray("cmd")),
        env(json.getJsonObject("env_vars", new JsonObject())), ports(json.getJsonArray("ports", new JsonArray())),
        mounts(json.getJsonArray("volumes", new JsonArray())), json.getJsonObject("healthcheck"), json.getDouble("cpu"),
        json.getInteger("memory_mb"), json.getInteger("replicas"), json.getString("restart_policy"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("image_ref", imageRef)
        .put("entrypoint", entrypoint == null ? null : new JsonArray(new ArrayList<>(entrypoint)))
        .put("cmd", cmd == null ? null : new JsonArray(new ArrayList<>(cmd)))
        .put("env_vars", new JsonObject(new LinkedHashMap<>(env)))
        .put("ports", new JsonArray(ports.stream().map(Port::toJson).toList()))
        .put("volumes", new JsonArray(volumes.stream().map(Mount::toJson).toList()))
        .put("healthcheck", healthcheck)
        .put("cpu", cpu)
        .put("memory_mb", memoryMb)
        .put("replicas", replicas)
        .put("restart_policy", restartPolicy);
  }

  public ContainerSpec withImage(String image) {
    return new ContainerSpec(image, entrypoint, cmd, env, ports, volumes, healthcheck, cpu, memoryMb, replicas, restartPolicy);
  }

  public ContainerSpec withEnv(Map<String, String> newEnv) {
    return new ContainerSpec(imageRef, entrypoint, cmd, newEnv, ports, volumes, healthcheck, cpu, memoryMb, replicas, restartPolicy).validated();
  }

  public ContainerSpec withReplicas(int count) {
    return new ContainerSpec(imageRef, entrypoint, cmd, env, ports, volumes, healthcheck, cpu, memoryMb, count, restartPolicy);
  }

  /** Applies a Heroku-style config patch: a value sets, {@code null} deletes. */
  public ContainerSpec patchEnv(JsonObject patch) {
    Map<String, String> merged = new LinkedHashMap<>(env);
    for (String key : patch.fieldNames()) {
      Object value = patch.getValue(key);
      if (value == null) {
        merged.remove(key);
      } else {
        merged.put(key, value.toString());
      }
    }
    return withEnv(merged);
  }

  private ContainerSpec validated() {
    for (String key : env.keySet()) {
      if (!ENV_NAME.matcher(key).matches() || key.startsWith("SKYPANEL_")) {
        throw ApiException.validation("environment variable name '" + key + "' is not allowed", null);
      }
    }
    Set<String> seenPorts = new java.util.HashSet<>();
    for (Port port : ports) {
      if (!seenPorts.add(port.containerPort() + "/" + port.protocol())) {
        throw ApiException.validation("port " + port.containerPort() + "/" + port.protocol() + " is listed twice", null);
      }
    }
    Set<String> seenPaths = new java.util.HashSet<>();
    for (Mount mount : volumes) {
      String path = mount.mountPath().replaceAll("/+$", "");
      if (!MOUNT_PATH.matcher(mount.mountPath()).matches() || path.contains("..") || FORBIDDEN_MOUNTS.contains(path.isEmpty() ? "/" : path)) {
        throw ApiException.validation("mount_path '" + mount.mountPath() + "' is not allowed", null);
      }
      if (!seenPaths.add(path)) {
        throw ApiException.validation("mount_path '" + mount.mountPath() + "' is used twice", null);
      }
    }
    if (healthcheck != null) {
      String type = healthcheck.getString("type");
      if (("http".equals(type) || "tcp".equals(type)) && healthcheck.getInteger("port") == null && ports.isEmpty()) {
        throw ApiException.validation("an " + type + " health check needs a port", null);
      }
      if ("cmd".equals(type) && (healthcheck.getString("command") == null || healthcheck.getString("command").isBlank())) {
        throw ApiException.validation("a cmd health check needs a command", null);
      }
    }
    return this;
  }

  private static List<String> strings(JsonArray array) {
    return array == null ? null : array.stream().map(Object::toString).toList();
  }

  public static Map<String, String> env(JsonObject json) {
    Map<String, String> env = new LinkedHashMap<>();
    json.forEach(entry -> env.put(entry.getKey(), entry.getValue() == null ? "" : entry.getValue().toString()));
    return env;
  }

  public static List<Port> ports(JsonArray array) {
    List<Port> ports = new ArrayList<>();
    for (Object item : array) {
      JsonObject port = (JsonObject) item;
      ports.add(new Port(port.getInteger("container_port"), port.getString("protocol", "tcp"), port.getBoolean("public", true)));
    }
    return ports;
  }

  public static List<Mount> mounts(JsonArray array) {
    List<Mount> mounts = new ArrayList<>();
    for (Object item : array) {
      JsonObject mount = (JsonObject) item;
      mounts.add(new Mount(UUID.fromString(mount.getString("volume_id")), mount.getString("mount_path"), mount.getBoolean("read_only", false)));
    }
    return mounts;
  }
}
