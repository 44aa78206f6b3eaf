package io.skypanel.controlplane.caas.orchestration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import com.github.dockerjava.api.command.CreateServiceCmd;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.CpuStatsConfig;
import com.github.dockerjava.api.model.MemoryStatsConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.StatisticNetworksConfig;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.api.model.StatsConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.Labels;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link Orchestrator} on Docker Swarm through docker-java. Every engine call runs through
 * {@link DockerEngine#call}, i.e. on the {@code skypanel-docker} worker pool, never on an event loop.
 *
 * <p>Specs are built by {@link ServiceSpecFactory} from the {@link DesiredService} alone; an update takes only
 * the version from the engine. Where docker-java's model lacks what the engine sends or accepts, this class
 * talks to the engine's API through docker-java's own HTTP transport:
 * <ul>
 *   <li>task listing: read as JSON, so every field the engine sends (network attachments among them) is there;</li>
 *   <li>service update with registry credentials: {@code UpdateServiceCmd} cannot send {@code X-Registry-Auth};</li>
 *   <li>secret creation: {@code SecretSpec.withData(String)} cannot carry arbitrary bytes.</li>
 * </ul>
 *
 * <p>Organization networks whose {@code Internal} flag differs from the one asked for are not recreated here:
 * {@link #ensureOrganizationNetwork} fails with {@link OrganizationNetworkMismatchException} and the caller decides.
 */
public final class SwarmOrchestrator implements Orchestrator {

  private static final Logger LOG = LoggerFactory.getLogger(SwarmOrchestrator.class);
  private static final ObjectMapper MAPPER = DockerClientConfig.getDefaultObjectMapper();
  public static final String NETWORK_PREFIX = "org-";
  static final String EGRESS_SUFFIX = "-egress";
  private static final String NETWORK_LABEL = Labels.NETWORK;
  private static final String NETWORK_INTERNAL = Labels.NETWORK_INTERNAL;
  private static final String NETWORK_EGRESS = Labels.NETWORK_EGRESS;
  public static final String ORG_LABEL = Labels.ORG;
  public static final String CONTAINER_LABEL = Labels.CONTAINER;
  private static final int UPDATE_ATTEMPTS = 4;
  private static final long STATS_TIMEOUT_SECONDS = 15;
  private static final int CACHE_LIMIT = 4096;

  private final DockerEngine engine;
  private final ServiceSpecFactory.Rollout rollout;
  private final Map<String, String> commonLabels;
  private final Map<String, String> containerImages = new ConcurrentHashMap<>();
  private volatile String localNodeId;

  public SwarmOrchestrator(DockerEngine engine) {
    this(engine, ServiceSpecFactory.Rollout.DEFAULT, Map.of());
  }

  public SwarmOrchestrator(DockerEngine engine, ServiceSpecFactory.Rollout rollout) {
    this(engine, rollout, Map.of());
  }

  /**
   * @param rollout      monitor and delay of rolling updates (tests use short ones)
   * @param commonLabels labels put on every network, secret, volume and service this orchestrator creates, next
   *                     to their own (e.g. a platform instance id; tests use them to find what they made)
   */
  public SwarmOrchestrator(DockerEngine engine, ServiceSpecFactory.Rollout rollout, Map<String, String> commonLabels) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.rollout = Objects.requireNonNull(rollout, "rollout");
    this.commonLabels = Map.copyOf(commonLabels);
  }

  private Map<String, String> labels(Map<String, String> own) {
    Map<String, String> merged = new java.util.TreeMap<>(commonLabels);
    if (own != null) {
      merged.putAll(own);
    }
    return merged;
  }

  private DesiredService withCommonLabels(DesiredService d) {
    if (commonLabels.isEmpty()) {
      return d;
    }
    return new DesiredService(d.serviceName(), labels(d.labels()), d.image(), d.entrypoint(), d.cmd(), d.env(), d.secrets(),
        d.volumes(), d.healthcheck(), d.cpu(), d.memoryMb(), d.replicas(), d.restartPolicy(), d.stopGraceSeconds(),
        d.tier(), d.networkIds(), d.registryLogin());
  }

  /**
   * Whether the engine accepts {@code ContainerSpec.Privileges.NoNewPrivileges} (API 1.44 and newer). On older
   * engines it is not sent: the process may then gain privileges through setuid binaries of the image, though
   * every capability is still dropped.
   */
  public boolean supportsNoNewPrivileges() {
    return apiAtLeast(engine.status().apiVersion(), 1, 44);
  }

  static boolean apiAtLeast(String apiVersion, int major, int minor) {
    return DockerEngine.EngineStatus.apiAtLeast(apiVersion, major, minor);
  }

  /** The spec builder for the engine as it is now (NoNewPrivileges only where supported). */
  public ServiceSpecFactory specFactory() {
    return new ServiceSpecFactory(rollout, supportsNoNewPrivileges());
  }

  // ---------------------------------------------------------------------------------------------- networks

  /** The organization's internal network: every task of the organization and the edge gateways join it. */
  public static String networkName(UUID organizationId) {
    return NETWORK_PREFIX + organizationId;
  }

  /** The organization's egress network: joined only while the organization allows egress. */
  public static String egressNetworkName(UUID organizationId) {
    return NETWORK_PREFIX + organizationId + EGRESS_SUFFIX;
  }

  @Override
  public Future<OrganizationNetworks> ensureOrganizationNetworks(UUID organizationId, boolean egressAllowed) {
    return engine.call(() -> {
      DockerClient docker = engine.client();
      String org = organizationId.toString();
      boolean[] created = new boolean[1];
      String internal = ensureNetwork(docker, networkName(organizationId), true, true,
          Map.of(ORG_LABEL, org, NETWORK_LABEL, NETWORK_INTERNAL), created);
      String egress = egressAllowed
          ? ensureNetwork(docker, egressNetworkName(organizationId), false, false,
              Map.of(ORG_LABEL, org, NETWORK_LABEL, NETWORK_EGRESS), new boolean[1])
          : null;
      return new OrganizationNetworks(internal, egress, created[0]);
    });
  }

  private String ensureNetwork(DockerClient docker, String name, boolean internal, boolean attachable,
                               Map<String, String> ownLabels, boolean[] created) {
    Network network = findNetwork(docker, name);
    if (network == null) {
      try {
        String id = docker.createNetworkCmd()
            .withName(name)
            .withDriver("overlay")
            .withAttachable(attachable)
            .withInternal(internal)
            .withCheckDuplicate(true)
            .withLabels(labels(ownLabels))
            .exec()
            .getId();
        LOG.info("created network {} ({}, internal={})", name, id, internal);
        created[0] = true;
        return id;
      } catch (DockerException e) {
        // a concurrent create (this or another control plane) won the race: use the network it made
        network = findNetwork(docker, name);
        if (network == null) {
          throw e;
        }
      }
    }
    // a listing can show a network a concurrent create has not finished; inspect it for its real settings
    network = docker.inspectNetworkCmd().withNetworkId(network.getId()).exec();
    if (network.getDriver() == null || network.getDriver().isBlank()) {
      // still being created by a concurrent call of the platform, the only creator of these networks, with these settings
      return network.getId();
    }
    if (!"overlay".equals(network.getDriver())) {
      throw new OrchestrationException("network " + name + " exists with driver " + network.getDriver() + ", not overlay");
    }
    boolean existingInternal = Boolean.TRUE.equals(network.getInternal());
    if (existingInternal != internal) {
      throw new OrganizationNetworkMismatchException(name, network.getId(), existingInternal, internal);
    }
    return network.getId();
  }

  private static Network findNetwork(DockerClient docker, String name) {
    // the name filter matches substrings: keep the exact name only; swarm-scoped networks first
    return docker.listNetworksCmd().withNameFilter(name).exec().stream()
        .filter(network -> name.equals(network.getName()))
        .min(Comparator.comparing((Network network) -> "swarm".equals(network.getScope()) ? 0 : 1)
            .thenComparing(network -> network.getId()))
        .orElse(null);
  }

  // ---------------------------------------------------------------------------------------------- secrets, volumes

  /**
   * {@code POST /secrets/create} with the value base64-encoded byte for byte: docker-java's
   * {@code SecretSpec.withData(String)} would re-encode a string through the platform charset.
   */
  @Override
  public Future<String> createSecret(String name, byte[] value, Map<String, String> labels) {
    JsonObject spec = new JsonObject()
        .put("Name", name)
        .put("Labels", new JsonObject(new java.util.LinkedHashMap<>(labels(labels))))
        .put("Data", Base64.getEncoder().encodeToString(value));
    return engine.call(() -> {
      DockerHttpClient.Request request = DockerHttpClient.Request.builder()
          .method(DockerHttpClient.Request.Method.POST)
          .path("/secrets/create")
          .putHeader("Content-Type", "application/json")
          .bodyBytes(spec.toBuffer().getBytes())
          .build();
      return new JsonObject(new String(execute(request), StandardCharsets.UTF_8)).getString("ID");
    });
  }

  @Override
  public Future<Void> removeSecret(String secretId) {
    return removeIfPresent("secret", secretId, () -> engine.client().removeSecretCmd(secretId).exec());
  }

  @Override
  public Future<Void> createVolume(String name, Map<String, String> labels) {
    return engine.call(() -> {
      DockerClient docker = engine.client();
      try {
        docker.inspectVolumeCmd(name).exec();
        return null;
      } catch (NotFoundException absent) {
        // create it below
      }
      docker.createVolumeCmd()
          .withName(name)
          .withDriver("local")
          .withLabels(labels(labels))
          .exec();
      return null;
    });
  }

  @Override
  public Future<Void> removeVolume(String name) {
    return removeIfPresent("volume", name, () -> engine.client().removeVolumeCmd(name).exec());
  }

  /** Removal is idempotent: what is already gone counts as removed. */
  private Future<Void> removeIfPresent(String what, String id, Runnable remove) {
    return engine.call(() -> {
      try {
        remove.run();
      } catch (NotFoundException e) {
        LOG.debug("{} {} already gone", what, id);
      }
      return null;
    });
  }

  // ---------------------------------------------------------------------------------------------- services

  @Override
  public Future<String> createService(DesiredService desired) {
    ServiceSpec spec;
    try {
      spec = specFactory().build(withCommonLabels(desired));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    AuthConfig auth = ServiceSpecFactory.authConfig(desired.registryLogin());
    return engine.call(() -> {
      DockerClient docker = engine.client();
      String existing = findServiceId(docker, desired.serviceName());
      if (existing != null) {
        return existing;
      }
      CreateServiceCmd create = docker.createServiceCmd(spec);
      if (auth != null) {
        create.withAuthConfig(auth);
      }
      try {
        String id = create.exec().getId();
        LOG.info("created service {} ({})", desired.serviceName(), id);
        return id;
      } catch (DockerException e) {
        // a concurrent create of the same name won (Swarm names are unique): return that service
        existing = findServiceId(docker, desired.serviceName());
        if (existing != null) {
          return existing;
        }
        throw e;
      }
    });
  }

  private static String findServiceId(DockerClient docker, String name) {
    return docker.listServicesCmd().withNameFilter(List.of(name)).exec().stream()
        .filter(service -> service.getSpec() != null && name.equals(service.getSpec().getName()))
        .map(Service::getId)
        .findFirst()
        .orElse(null);
  }

  @Override
  public Future<Void> updateService(String serviceId, DesiredService desired) {
    ServiceSpec spec;
    try {
      spec = specFactory().build(withCommonLabels(desired));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    AuthConfig auth = ServiceSpecFactory.authConfig(desired.registryLogin());
    return engine.call(() -> {
      DockerClient docker = engine.client();
      for (int attempt = 1; ; attempt++) {
        long version = docker.inspectServiceCmd(serviceId).exec().getVersion().getIndex();
        try {
          if (auth == null) {
            docker.updateServiceCmd(serviceId, spec).withVersion(version).exec();
          } else {
            updateWithAuth(serviceId, version, spec, auth);
          }
          return null;
        } catch (DockerException e) {
          // another writer bumped the version between inspect and update: inspect again and retry
          boolean outOfSequence = e.getMessage() != null && e.getMessage().contains("out of sequence");
          if (!outOfSequence || attempt >= UPDATE_ATTEMPTS) {
            throw e;
          }
        }
      }
    });
  }

  /** {@code POST /services/{id}/update} with {@code X-Registry-Auth}, which {@code UpdateServiceCmd} cannot send. */
  private void updateWithAuth(String serviceId, long version, ServiceSpec spec, AuthConfig auth) throws IOException {
    String header = Base64.getUrlEncoder().encodeToString(MAPPER.writeValueAsBytes(auth));
    DockerHttpClient.Request request = DockerHttpClient.Request.builder()
        .method(DockerHttpClient.Request.Method.POST)
        .path("/services/" + encode(serviceId) + "/update?version=" + version)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Registry-Auth", header)
        .bodyBytes(MAPPER.writeValueAsBytes(spec))
        .build();
    execute(request);
  }

  @Override
  public Future<Void> removeService(String serviceId) {
    return removeIfPresent("service", serviceId, () -> engine.client().removeServiceCmd(serviceId).exec());
  }

  @Override
  public Future<String> findServiceByContainer(UUID containerId) {
    return engine.call(() -> engine.client().listServicesCmd()
        .withLabelFilter(Map.of(CONTAINER_LABEL, containerId.toString()))
        .exec().stream()
        .map(Service::getId)
        .findFirst()
        .orElse(null));
  }

  @Override
  public Future<Map<String, Map<String, String>>> servicesLabelled(String label) {
    return engine.call(() -> {
      Map<String, Map<String, String>> found = new java.util.LinkedHashMap<>();
      // docker-java sends a label with an empty value as a filter on the label's presence alone
      for (Service service : engine.client().listServicesCmd().withLabelFilter(Map.of(label, "")).exec()) {
        Map<String, String> labels = service.getSpec() == null ? null : service.getSpec().getLabels();
        if (labels != null && labels.get(label) != null) {
          found.put(service.getId(), Map.copyOf(labels));
        }
      }
      return found;
    });
  }

  @Override
  public Future<Integer> remainingTaskContainers(UUID containerId) {
    // task containers carry the service's container labels; stopped ones still hold volumes until removed
    return engine.call(() -> engine.client().listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(CONTAINER_LABEL, containerId.toString()))
        .exec().size());
  }

  /** Container actions that change what a task serves; exec and attach events are noise here. */
  private static final Set<String> TASK_ACTIONS = Set.of("start", "die", "kill", "oom", "stop", "destroy", "health_status");

  @Override
  public EventWatch watchContainers(Handler<UUID> changed) {
    Promise<Void> ended = Promise.promise();
    ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Event event) {
        UUID containerId = containerOf(event);
        if (containerId != null) {
          changed.handle(containerId);
        }
      }

      @Override
      public void onError(Throwable error) {
        ended.tryFail(error);
      }

      @Override
      public void onComplete() {
        ended.tryComplete();
      }
    };
    if (engine.client() == null) {
      ended.tryFail(engine.status().message());
    } else {
      // exec only starts the stream; docker-java reads it on its own thread
      engine.call(() -> engine.client().eventsCmd().withEventTypeFilter(EventType.CONTAINER, EventType.SERVICE).exec(callback))
          .onFailure(ended::tryFail);
    }
    return new EventWatch() {
      @Override
      public Future<Void> ended() {
        return ended.future();
      }

      @Override
      public void close() {
        try {
          callback.close();
        } catch (java.io.IOException e) {
          LOG.debug("closing the event stream failed: {}", e.getMessage());
        }
        ended.tryComplete();
      }
    };
  }

  /** The platform container an event concerns: by the task container's label, or by the service's name c-<id>. */
  static UUID containerOf(Event event) {
    if (event.getActor() == null || event.getActor().getAttributes() == null) {
      return null;
    }
    Map<String, String> attributes = event.getActor().getAttributes();
    String id = null;
    if (event.getType() == EventType.CONTAINER) {
      String action = event.getAction() == null ? "" : event.getAction();
      if (TASK_ACTIONS.stream().anyMatch(action::startsWith)) {
        id = attributes.get(CONTAINER_LABEL);
      }
    } else if (event.getType() == EventType.SERVICE) {
      String name = attributes.get("name");
      id = name != null && name.startsWith("c-") ? name.substring(2) : null;
    }
    try {
      return id == null ? null : UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------- inspect

  @Override
  public Future<ServiceState> inspect(String serviceId) {
    return engine.call(() -> {
      DockerClient docker = engine.client();
      Service service;
      try {
        service = docker.inspectServiceCmd(serviceId).exec();
      } catch (NotFoundException e) {
        return null;
      }
      ServiceSpec spec = service.getSpec();
      int desiredReplicas = spec.getMode() != null && spec.getMode().getReplicated() != null
          ? (int) spec.getMode().getReplicated().getReplicas() : 0;
      String image = spec.getTaskTemplate() != null && spec.getTaskTemplate().getContainerSpec() != null
          ? spec.getTaskTemplate().getContainerSpec().getImage() : null;
      List<ServiceState.Task> tasks = new ArrayList<>();
      String local = localNodeId(docker);
      for (JsonObject task : listTasks(service.getId())) {
        tasks.add(toTask(docker, task, local));
      }
      tasks.sort(Comparator.comparing(ServiceState.Task::updatedAt, Comparator.nullsLast(Comparator.reverseOrder())));
      int running = (int) tasks.stream()
          .filter(task -> "running".equals(task.state()) && "running".equals(task.desiredState()))
          .count();
      String updateState = null;
      String updateMessage = null;
      if (service.getUpdateStatus() != null) {
        updateState = service.getUpdateStatus().getState() == null ? null
            : service.getUpdateStatus().getState().name().toLowerCase(java.util.Locale.ROOT);
        updateMessage = service.getUpdateStatus().getMessage();
      }
      long version = service.getVersion() == null || service.getVersion().getIndex() == null ? 0 : service.getVersion().getIndex();
      return new ServiceState(service.getId(), spec.getName(), version, desiredReplicas, running, image, updateState,
          updateMessage, List.copyOf(tasks));
    });
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
      if (!NETWORK_INTERNAL.equals(labels.getString(NETWORK_LABEL))) {
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

  private String localNodeId(DockerClient docker) {
    String id = localNodeId;
    if (id == null) {
      var swarm = docker.infoCmd().exec().getSwarm();
      id = swarm == null ? null : blankToNull(swarm.getNodeID());
      localNodeId = id;
    }
    return id;
  }

  /** {@code GET /tasks?filters={"service":[id]}} as JSON: docker-java's Task model drops parts of what the engine sends. */
  private List<JsonObject> listTasks(String serviceId) throws IOException {
    String filters = new JsonObject().put("service", new JsonArray().add(serviceId)).encode();
    DockerHttpClient.Request request = DockerHttpClient.Request.builder()
        .method(DockerHttpClient.Request.Method.GET)
        .path("/tasks?filters=" + encode(filters))
        .build();
    JsonArray array = new JsonArray(new String(execute(request), StandardCharsets.UTF_8));
    List<JsonObject> tasks = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      tasks.add(array.getJsonObject(i));
    }
    return tasks;
  }

  // ---------------------------------------------------------------------------------------------- stats

  @Override
  public Future<JsonObject> stats(String serviceId) {
    return engine.call(() -> {
          String local = localNodeId(engine.client());
          List<String[]> running = new ArrayList<>();
          for (JsonObject task : listTasks(serviceId)) {
            JsonObject status = task.getJsonObject("Status", new JsonObject());
            String containerId = blankToNull(status.getJsonObject("ContainerStatus", new JsonObject()).getString("ContainerID"));
            if ("running".equals(status.getString("State")) && "running".equals(task.getString("DesiredState"))
                && containerId != null && local != null && local.equals(task.getString("NodeID"))) {
              running.add(new String[] {task.getString("ID"), containerId});
            }
          }
          return running;
        })
        .compose(running -> {
          List<Future<JsonObject>> samples = new ArrayList<>();
          for (String[] task : running) {
            samples.add(engine.call(() -> sample(task[0], task[1])));
          }
          return Future.join(samples).transform(ignored -> {
            JsonArray tasks = new JsonArray();
            for (Future<JsonObject> sample : samples) {
              if (sample.succeeded() && sample.result() != null) {
                tasks.add(sample.result());
              } else if (sample.failed()) {
                LOG.debug("stats sample failed: {}", sample.cause().toString());
              }
            }
            return Future.succeededFuture(new JsonObject().put("service_id", serviceId).put("tasks", tasks));
          });
        });
  }

  /** One {@code docker stats --no-stream} sample (the engine includes the previous CPU reading); null when gone. */
  private JsonObject sample(String taskId, String containerId) throws InterruptedException {
    StatsCallback callback = new StatsCallback();
    try {
      engine.client().statsCmd(containerId).withNoStream(true).exec(callback);
      if (!callback.awaitCompletion(STATS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        LOG.debug("no stats from container {} within {} s", containerId, STATS_TIMEOUT_SECONDS);
      }
    } catch (NotFoundException e) {
      return null;
    } finally {
      try {
        callback.close();
      } catch (IOException e) {
        LOG.debug("closing the stats stream failed", e);
      }
    }
    Statistics statistics = callback.statistics;
    if (statistics == null) {
      return null;
    }
    return statsJson(taskId, containerId, statistics);
  }

  static JsonObject statsJson(String taskId, String containerId, Statistics statistics) {
    long rx = 0;
    long tx = 0;
    Map<String, StatisticNetworksConfig> networks = statistics.getNetworks();
    if (networks != null) {
      for (StatisticNetworksConfig network : networks.values()) {
        rx += orZero(network.getRxBytes());
        tx += orZero(network.getTxBytes());
      }
    }
    MemoryStatsConfig memory = statistics.getMemoryStats();
    return new JsonObject()
        .put("task_id", taskId)
        .put("container_id", containerId)
        .put("cpu_percent", cpuPercent(statistics.getCpuStats(), statistics.getPreCpuStats()))
        .put("memory_bytes", memoryUsage(memory))
        .put("memory_limit_bytes", memory == null ? 0L : orZero(memory.getLimit()))
        .put("network_rx_bytes", rx)
        .put("network_tx_bytes", tx);
  }

  /** As {@code docker stats}: the container's share of the host's CPU time since the previous reading, x online CPUs. */
  static double cpuPercent(CpuStatsConfig cpu, CpuStatsConfig preCpu) {
    if (cpu == null || preCpu == null || cpu.getCpuUsage() == null || preCpu.getCpuUsage() == null) {
      return 0.0;
    }
    double cpuDelta = orZero(cpu.getCpuUsage().getTotalUsage()) - orZero(preCpu.getCpuUsage().getTotalUsage());
    double systemDelta = orZero(cpu.getSystemCpuUsage()) - orZero(preCpu.getSystemCpuUsage());
    long online = orZero(cpu.getOnlineCpus());
    if (online == 0 && cpu.getCpuUsage().getPercpuUsage() != null) {
      online = cpu.getCpuUsage().getPercpuUsage().size();
    }
    if (cpuDelta <= 0 || systemDelta <= 0 || online == 0) {
      return 0.0;
    }
    return Math.round(cpuDelta / systemDelta * online * 100.0 * 1000.0) / 1000.0;
  }

  /** As {@code docker stats}: usage without the page cache (cgroup v1 total_inactive_file, v2 inactive_file). */
  static long memoryUsage(MemoryStatsConfig memory) {
    if (memory == null) {
      return 0;
    }
    long usage = orZero(memory.getUsage());
    StatsConfig stats = memory.getStats();
    if (stats != null) {
      Long inactive = stats.getTotalInactiveFile() != null ? stats.getTotalInactiveFile() : stats.getInactiveFile();
      if (inactive != null && inactive < usage) {
        return usage - inactive;
      }
    }
    return usage;
  }

  /** Keeps the single sample of a non-streaming stats call. */
  private static final class StatsCallback extends ResultCallback.Adapter<Statistics> {
    private volatile Statistics statistics;

    @Override
    public void onNext(Statistics object) {
      if (statistics == null) {
        statistics = object;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- raw API

  private DockerHttpClient http() {
    DockerClient client = engine.client();
    if (client instanceof DockerClientImpl impl) {
      return impl.getHttpClient();
    }
    throw new IllegalStateException("the Docker client does not expose its HTTP transport");
  }

  /** Sends a request through docker-java's transport; maps engine errors onto docker-java's exceptions. */
  private byte[] execute(DockerHttpClient.Request request) throws IOException {
    try (DockerHttpClient.Response response = http().execute(request);
         InputStream body = response.getBody()) {
      byte[] bytes = body == null ? new byte[0] : body.readAllBytes();
      int status = response.getStatusCode();
      if (status >= 200 && status < 300) {
        return bytes;
      }
      String message = engineMessage(bytes);
      switch (status) {
        case 400 -> throw new BadRequestException(message);
        case 404 -> throw new NotFoundException(message);
        case 409 -> throw new ConflictException(message);
        case 500 -> throw new InternalServerErrorException(message);
        default -> throw new DockerException(message, status);
      }
    }
  }

  private static String engineMessage(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    try {
      String message = new JsonObject(text).getString("message");
      return message == null ? text : message;
    } catch (RuntimeException notJson) {
      return text;
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
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
