package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.model.UpdateOrder;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.DockerOptions;
import io.skypanel.common.gateway.EdgeGateway;
import io.skypanel.common.testing.TestGateway;
import io.skypanel.controlplane.support.OverlayHttp;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SwarmOrchestrator} against the real local engine (single-node swarm). Services run local busybox images
 * ({@link TestImages}) referenced by content id ({@code sha256:...}): the engine never tries to pull an image
 * referenced that way, so no test sends traffic to a registry. HTTP goes only to 127.0.0.1; networks are proved
 * by inspection, never by sending traffic out.
 *
 * <p>Everything created carries {@code skypanel.test=true} and this run's {@code skypanel.test.run}; services are
 * removed after each test, the rest (and anything left over) by label after the class.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SwarmOrchestratorTest {

  private static final Logger LOG = LoggerFactory.getLogger(SwarmOrchestratorTest.class);
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final Map<String, String> TEST_LABELS = Map.of("skypanel.test", "true", "skypanel.test.run", RUN);
  private static final DesiredService.HealthcheckSpec HTTP_CHECK = new DesiredService.HealthcheckSpec("http", 8080, "/", null, 1, 1, 2, 0);
  private static final DesiredService.TierSpec TIER = new DesiredService.TierSpec("test", List.of(), true, 64, List.of());
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static Vertx vertx;
  private static DockerEngine engine;
  private static SwarmOrchestrator orchestrator;
  private static String v1;
  private static String v2;
  private static String broken;
  private static String busybox;
  private static String openNetwork;
  private static EdgeGateway gateway;
  private static int relayPort;

  private final List<String> services = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    engine = await(DockerEngine.connect(vertx, new DockerOptions(null, 4, 2, 16, 3000, 60000)), 30);
    assertThat(engine.status().available()).as(engine.status().message()).isTrue();
    assertThat(engine.status().swarm()).isEqualTo("active");
    orchestrator = new SwarmOrchestrator(engine,
        new ServiceSpecFactory.Rollout(Duration.ofSeconds(3), Duration.ZERO, UpdateOrder.START_FIRST), TEST_LABELS);
    busybox = TestImages.digestOf(TestImages.busybox());
    v1 = TestImages.digestOf(TestImages.web("v1", "hello v1"));
    v2 = TestImages.digestOf(TestImages.web("v2", "hello v2"));
    broken = TestImages.digestOf(TestImages.broken("b1"));
    openNetwork = await(orchestrator.ensureOrganizationNetworks(UUID.randomUUID(), true), 30).internalId();
    // tasks publish no host port: the test reaches them as the edge does, through an edge gateway
    gateway = TestGateway.create(vertx, engine, "orchestrator-" + RUN, TEST_LABELS);
    relayPort = await(gateway.start(), 120).getPort();
  }

  @AfterEach
  void removeServices() throws Exception {
    for (String id : services) {
      await(orchestrator.removeService(id), 30);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (gateway != null) {
        await(gateway.remove(), 30);
      }
      cleanByLabel("skypanel.test.run=" + RUN);
    } finally {
      if (engine != null) {
        engine.close();
      }
      if (vertx != null) {
        await(vertx.close(), 30);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ tests

  @Test
  void creates_a_hardened_service_that_publishes_no_port_and_answers_on_its_overlay_address() throws Exception {
    UUID container = UUID.randomUUID();
    DesiredService desired = web("hardened", v1, 1, container);
    String id = create(desired);

    assertThat(orchestrator.supportsNoNewPrivileges()).as("engine API %s", engine.status().apiVersion()).isFalse();

    JsonObject spec = serviceInspect(id).getJsonObject("Spec");
    JsonObject task = spec.getJsonObject("TaskTemplate");
    JsonObject containerSpec = task.getJsonObject("ContainerSpec");
    assertThat(containerSpec.getJsonArray("CapabilityDrop")).containsExactly("ALL");
    assertThat(containerSpec.getJsonObject("Privileges") == null
        || !containerSpec.getJsonObject("Privileges").containsKey("NoNewPrivileges")).isTrue();
    assertThat(containerSpec.getBoolean("ReadOnly")).isTrue();
    assertThat(containerSpec.getBoolean("Init")).isTrue();
    assertThat(task.getJsonObject("Resources").getJsonObject("Limits").getLong("Pids")).isEqualTo(64);
    assertThat(task.getJsonObject("Resources").getJsonObject("Limits").getLong("MemoryBytes")).isEqualTo(64L * 1024 * 1024);
    List<String> mountTypes = containerSpec.getJsonArray("Mounts", new JsonArray()).stream()
        .map(m -> ((JsonObject) m).getString("Type")).toList();
    assertThat(mountTypes).containsOnly("tmpfs");
    JsonObject endpointSpec = spec.getJsonObject("EndpointSpec");
    assertThat(endpointSpec == null || endpointSpec.getJsonArray("Ports") == null).as("no published port: " + endpointSpec).isTrue();
    assertThat(spec.getJsonObject("Labels").getString("skypanel.container")).isEqualTo(container.toString());
    assertThat(containerSpec.getJsonObject("Labels").getString("skypanel.container")).isEqualTo(container.toString());

    ServiceState state = awaitState(id, s -> s.runningReplicas() == 1 && !endpoints(s).isEmpty());
    ServiceState.Task running = runningTasks(state).get(0);
    assertThat(running.address()).as("the task's address on the organization's internal network").matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    assertThat(running.imageDigest()).isEqualTo(v1);
    assertThat(state.image()).isEqualTo(v1);
    assertThat(get(running.address())).isEqualTo("hello v1");
    JsonObject inspected = serviceInspect(id);
    assertThat(inspected.getJsonObject("Endpoint").getJsonArray("Ports")).as("the engine published nothing").isNull();

    // what the engine made of it: the container itself
    JsonObject hostConfig = new JsonArray(TestImages.docker("container", "inspect", running.containerId()))
        .getJsonObject(0).getJsonObject("HostConfig");
    assertThat(hostConfig.getJsonArray("CapDrop").getList()).contains("ALL");
    assertThat(hostConfig.getBoolean("Privileged")).isFalse();
    assertThat(hostConfig.getBoolean("ReadonlyRootfs")).isTrue();
    assertThat(hostConfig.getLong("PidsLimit")).isEqualTo(64);
    assertThat(hostConfig.getString("PidMode", "")).isEmpty();
    assertThat(hostConfig.getString("IpcMode")).isNotEqualTo("host");
    assertThat(hostConfig.getString("NetworkMode")).isNotEqualTo("host");
    assertThat(hostConfig.getBoolean("Init")).isTrue();
    assertThat(hostConfig.getJsonArray("Binds")).isNull();

    assertThat(await(orchestrator.findServiceByContainer(container), 30)).isEqualTo(id);
    assertThat(await(orchestrator.findServiceByContainer(UUID.randomUUID()), 30)).isNull();

    JsonObject stats = await(orchestrator.stats(id), 30);
    LOG.info("stats: {}", stats.encode());
    JsonObject sample = stats.getJsonArray("tasks").getJsonObject(0);
    assertThat(sample.getString("task_id")).isEqualTo(running.taskId());
    assertThat(sample.getLong("memory_bytes")).isPositive();
    assertThat(sample.getLong("memory_limit_bytes")).isEqualTo(64L * 1024 * 1024);
    assertThat(sample.getDouble("cpu_percent")).isGreaterThanOrEqualTo(0.0);
    assertThat(sample.getLong("network_rx_bytes")).isGreaterThanOrEqualTo(0);
  }

  @Test
  void scales_one_to_three_to_one() throws Exception {
    DesiredService one = web("scale", v1, 1, UUID.randomUUID());
    String id = create(one);
    awaitState(id, s -> s.runningReplicas() == 1 && endpoints(s).size() == 1);

    await(orchestrator.updateService(id, withReplicas(one, 3)), 30);
    ServiceState three = awaitState(id, s -> s.runningReplicas() == 3 && endpoints(s).size() == 3);
    Set<String> addresses = new HashSet<>(endpoints(three));
    assertThat(addresses).as("each task has its own overlay address").hasSize(3);
    for (String address : addresses) {
      assertThat(get(address)).isEqualTo("hello v1");
    }
    assertThat(three.desiredReplicas()).isEqualTo(3);

    await(orchestrator.updateService(id, withReplicas(one, 1)), 30);
    ServiceState back = awaitState(id, s -> s.runningReplicas() == 1
        && s.tasks().stream().filter(t -> "running".equals(t.desiredState())).count() == 1);
    assertThat(back.desiredReplicas()).isEqualTo(1);
    assertThat(get(endpoints(back).get(0))).isEqualTo("hello v1");
  }

  /**
   * A client loops over the service's endpoints (re-read from inspect every few requests, and at once when every
   * known endpoint refuses) through an update v1 to v2. "Failed" means no endpoint answered even after re-reading:
   * with start-first, the new task is healthy and listed before the old one stops, so this must stay zero. Single
   * attempts refused by an endpoint that just stopped are counted separately: only an edge router that drains
   * endpoints before the old task stops removes those.
   */
  @Test
  void rolling_update_keeps_answering_while_a_client_loops() throws Exception {
    DesiredService desired = web("rolling", v1, 2, UUID.randomUUID());
    String id = create(desired);
    awaitState(id, s -> s.runningReplicas() == 2 && endpoints(s).size() == 2);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger refusedAttempts = new AtomicInteger();
    Map<String, Integer> bodies = new ConcurrentHashMap<>();
    Thread client = new Thread(() -> {
      List<String> known = addresses(id);
      int next = 0;
      while (!stop.get()) {
        int n = requests.incrementAndGet();
        if (n % 5 == 0) {
          known = addresses(id);
        }
        String body = null;
        for (int round = 0; round < 2 && body == null; round++) {
          for (int i = 0; i < known.size() && body == null; i++) {
            String address = known.get((next + i) % known.size());
            try {
              body = get(address);
            } catch (IOException e) {
              refusedAttempts.incrementAndGet();
            }
          }
          if (body == null) {
            known = addresses(id); // every known endpoint refused: re-read once, then count a failure
          }
        }
        next++;
        if (body == null) {
          failed.incrementAndGet();
        } else {
          bodies.merge(body, 1, Integer::sum);
        }
      }
    }, "rolling-client");
    client.start();
    try {
      awaitCondition(() -> requests.get() >= 20);
      await(orchestrator.updateService(id, withImage(desired, v2)), 30);
      awaitState(id, s -> "completed".equals(s.updateState()) && s.runningReplicas() == 2
          && runningTasks(s).stream().allMatch(t -> v2.equals(t.imageDigest())));
      int after = requests.get();
      awaitCondition(() -> requests.get() >= after + 20);
    } finally {
      stop.set(true);
      client.join(10_000);
    }
    LOG.info("rolling update: {} requests, {} failed (no endpoint answered), {} single attempts refused, bodies {}",
        requests.get(), failed.get(), refusedAttempts.get(), bodies);
    assertThat(failed.get()).as("requests no endpoint answered").isZero();
    assertThat(bodies).containsKeys("hello v1", "hello v2");
    ServiceState done = await(orchestrator.inspect(id), 30);
    for (String address : endpoints(done)) {
      assertThat(get(address)).isEqualTo("hello v2");
    }
  }

  @Test
  void a_failing_health_check_rolls_back_automatically() throws Exception {
    DesiredService desired = web("rollback", v1, 1, UUID.randomUUID());
    String id = create(desired);
    ServiceState before = awaitState(id, s -> s.runningReplicas() == 1 && !endpoints(s).isEmpty());
    String oldTask = runningTasks(before).get(0).taskId();

    await(orchestrator.updateService(id, withImage(desired, broken)), 30);
    ServiceState rolledBack = awaitState(id, s -> "rollback_completed".equals(s.updateState()));

    assertThat(rolledBack.image()).isEqualTo(v1);
    assertThat(rolledBack.updateMessage()).isNotBlank();
    LOG.info("rollback: {} / {}", rolledBack.updateState(), rolledBack.updateMessage());
    assertThat(serviceInspect(id).getJsonObject("Spec").getJsonObject("TaskTemplate").getJsonObject("ContainerSpec")
        .getString("Image")).isEqualTo(v1);
    ServiceState after = awaitState(id, s -> s.runningReplicas() == 1 && !endpoints(s).isEmpty());
    ServiceState.Task running = runningTasks(after).get(0);
    assertThat(running.imageDigest()).isEqualTo(v1);
    assertThat(get(running.address())).isEqualTo("hello v1");
    assertThat(after.tasks()).anySatisfy(t -> assertThat(t.imageDigest()).isEqualTo(broken));
    LOG.info("broken tasks: {}", after.tasks().stream().filter(t -> broken.equals(t.imageDigest()))
        .map(t -> t.state() + " / " + t.message() + " / " + t.error()).toList());
    assertThat(after.tasks()).as("the broken task failed its health check")
        .anySatisfy(t -> assertThat(t.imageDigest() + " " + t.error()).contains(broken).contains("unhealthy"));
    LOG.info("rollback kept the old task running: {}", running.taskId().equals(oldTask));
  }

  @Test
  void mounts_secrets_as_files_not_env() throws Exception {
    String value = "s3cr3t-" + UUID.randomUUID();
    String secretName = "skpt-" + RUN + "-db-password";
    String secretId = await(orchestrator.createSecret(secretName, value.getBytes(StandardCharsets.UTF_8), Map.of()), 30);
    DesiredService base = web("secret", v1, 1, UUID.randomUUID());
    DesiredService desired = copy(base, base.image(), base.replicas(),
        List.of(new DesiredService.SecretMount(secretId, secretName, "db_password")), base.volumes(), null);
    String id = create(desired);
    String containerId = runningTasks(awaitState(id, s -> s.runningReplicas() == 1)).get(0).containerId();

    assertThat(TestImages.docker("exec", containerId, "cat", "/run/secrets/db_password")).isEqualTo(value);
    assertThat(TestImages.docker("exec", containerId, "stat", "-c", "%a %u %g", "/run/secrets/db_password").trim())
        .isEqualTo("400 0 0");
    assertThat(TestImages.docker("exec", containerId, "env")).doesNotContain(value);
    JsonObject containerSpec = serviceInspect(id).getJsonObject("Spec").getJsonObject("TaskTemplate").getJsonObject("ContainerSpec");
    assertThat(String.valueOf(containerSpec.getValue("Env"))).doesNotContain(value);
    assertThat(containerSpec.encode()).doesNotContain(value);
  }

  @Test
  void volume_data_survives_an_update() throws Exception {
    String volume = "skpt-" + RUN + "-data";
    await(orchestrator.createVolume(volume, Map.of()), 30);
    await(orchestrator.createVolume(volume, Map.of()), 30);
    DesiredService base = web("volume", v1, 1, UUID.randomUUID());
    // a registry login exercises the update path that sends X-Registry-Auth; images referenced by id are never pulled
    DesiredService desired = copy(base, base.image(), 1, base.secrets(),
        List.of(new DesiredService.VolumeMount(volume, "/data", false)),
        new DesiredService.RegistryLogin("127.0.0.1:5999", "test", "not-a-real-password"));
    String id = create(desired);
    String first = runningTasks(awaitState(id, s -> s.runningReplicas() == 1)).get(0).containerId();
    String marker = "persisted-" + RUN;
    TestImages.docker("exec", first, "sh", "-c", "echo " + marker + " > /data/marker");

    await(orchestrator.updateService(id, withImage(desired, v2)), 30);
    ServiceState updated = awaitState(id, s -> "completed".equals(s.updateState()) && s.runningReplicas() == 1
        && v2.equals(runningTasks(s).get(0).imageDigest()));
    String second = runningTasks(updated).get(0).containerId();
    assertThat(second).isNotEqualTo(first);
    assertThat(TestImages.docker("exec", second, "cat", "/data/marker").trim()).isEqualTo(marker);
    JsonArray mounts = serviceInspect(id).getJsonObject("Spec").getJsonObject("TaskTemplate").getJsonObject("ContainerSpec")
        .getJsonArray("Mounts");
    assertThat(mounts.stream().map(m -> ((JsonObject) m).getString("Type")).toList()).containsExactlyInAnyOrder("volume", "tmpfs");
  }

  @Test
  void organization_networks_are_internal_and_attachable_with_egress_only_when_allowed() throws Exception {
    UUID org = UUID.randomUUID();
    Future<OrganizationNetworks> a = orchestrator.ensureOrganizationNetworks(org, false);
    Future<OrganizationNetworks> b = orchestrator.ensureOrganizationNetworks(org, false);
    OrganizationNetworks denied = await(a, 30);
    assertThat(await(b, 30).internalId()).as("concurrent ensure yields one network").isEqualTo(denied.internalId());
    assertThat(denied.egressId()).isNull();
    OrganizationNetworks allowed = await(orchestrator.ensureOrganizationNetworks(org, true), 30);
    assertThat(allowed.internalId()).isEqualTo(denied.internalId());
    assertThat(allowed.internalCreated()).isFalse();
    assertThat(allowed.ids()).containsExactly(denied.internalId(), allowed.egressId());

    JsonObject internal = new JsonArray(TestImages.docker("network", "inspect", denied.internalId())).getJsonObject(0);
    assertThat(internal.getString("Name")).isEqualTo("org-" + org);
    assertThat(internal.getString("Driver")).isEqualTo("overlay");
    assertThat(internal.getString("Scope")).isEqualTo("swarm");
    assertThat(internal.getBoolean("Internal")).isTrue();
    assertThat(internal.getBoolean("Attachable")).as("edge gateways join it live").isTrue();
    assertThat(internal.getJsonObject("Labels").getString("skypanel.org")).isEqualTo(org.toString());
    assertThat(internal.getJsonObject("Labels").getString("skypanel.network")).isEqualTo("internal");
    JsonObject egress = new JsonArray(TestImages.docker("network", "inspect", allowed.egressId())).getJsonObject(0);
    assertThat(egress.getString("Name")).isEqualTo("org-" + org + "-egress");
    assertThat(egress.getBoolean("Internal")).isFalse();
    assertThat(egress.getBoolean("Attachable")).as("nothing but the organization's tasks joins it").isFalse();

    // a network of the wrong kind under the platform's name is not used
    UUID squatted = UUID.randomUUID();
    TestImages.docker("network", "create", "-d", "overlay", "--label", "skypanel.test.run=" + RUN, "org-" + squatted);
    assertThat(failure(orchestrator.ensureOrganizationNetworks(squatted, false)))
        .isInstanceOf(OrganizationNetworkMismatchException.class).hasMessageContaining("internal=false");

    // a task on the internal network alone has no default route and no gateway bridge; one that also joins the egress network has
    String closedId = create(sleeper("closed", denied.internalId()));
    String openId = create(sleeper("open", allowed.ids()));
    String closed = runningTasks(awaitState(closedId, s -> s.runningReplicas() == 1)).get(0).containerId();
    String open = runningTasks(awaitState(openId, s -> s.runningReplicas() == 1)).get(0).containerId();
    assertThat(defaultRoutes(closed)).as("routes inside the internal task").isEmpty();
    assertThat(defaultRoutes(open)).as("routes inside the egress task").isNotEmpty();
    JsonObject closedNetworks = new JsonArray(TestImages.docker("container", "inspect", closed)).getJsonObject(0)
        .getJsonObject("NetworkSettings").getJsonObject("Networks");
    assertThat(closedNetworks.fieldNames()).as("networks of the internal task").containsExactly("org-" + org);
    JsonObject openNetworks = new JsonArray(TestImages.docker("container", "inspect", open)).getJsonObject(0)
        .getJsonObject("NetworkSettings").getJsonObject("Networks");
    assertThat(openNetworks.fieldNames()).containsExactlyInAnyOrder("org-" + org, "org-" + org + "-egress");
    // the engine does not list docker_gwbridge among a task's networks; the interfaces inside tell
    assertThat(TestImages.docker("exec", closed, "ls", "/sys/class/net").trim().split("\\s+"))
        .as("interfaces inside the internal task").containsExactlyInAnyOrder("lo", "eth0");
    assertThat(TestImages.docker("exec", open, "ls", "/sys/class/net").trim().split("\\s+"))
        .as("interfaces inside the egress task: internal, egress and the gateway bridge").hasSize(4);
  }

  @Test
  void create_is_idempotent_by_name() throws Exception {
    DesiredService desired = web("idempotent", v1, 1, UUID.randomUUID());
    Future<String> a = orchestrator.createService(desired);
    Future<String> b = orchestrator.createService(desired);
    String id = await(a, 30);
    services.add(id);
    assertThat(await(b, 30)).isEqualTo(id);
    assertThat(await(orchestrator.createService(desired), 30)).isEqualTo(id);
    String listed = TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.test.run=" + RUN,
        "--filter", "name=" + desired.serviceName());
    assertThat(listed.trim().lines().toList()).hasSize(1);
  }

  @Test
  void remove_is_idempotent() throws Exception {
    UUID container = UUID.randomUUID();
    DesiredService desired = web("remove", v1, 1, container);
    String id = await(orchestrator.createService(desired), 30);
    assertThat(await(orchestrator.inspect(id), 30)).isNotNull();

    await(orchestrator.removeService(id), 30);
    await(orchestrator.removeService(id), 30);
    assertThat(await(orchestrator.inspect(id), 30)).isNull();
    assertThat(await(orchestrator.findServiceByContainer(container), 30)).isNull();

    String secretId = await(orchestrator.createSecret("skpt-" + RUN + "-gone", new byte[] {1, 2, 3}, Map.of()), 30);
    await(orchestrator.removeSecret(secretId), 30);
    await(orchestrator.removeSecret(secretId), 30);
    String volume = "skpt-" + RUN + "-gone";
    await(orchestrator.createVolume(volume, Map.of()), 30);
    await(orchestrator.removeVolume(volume), 30);
    await(orchestrator.removeVolume(volume), 30);
    assertThat(TestImages.dockerResult("volume", "inspect", volume).code()).isNotZero();
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private String create(DesiredService desired) throws Exception {
    String id = await(orchestrator.createService(desired), 30);
    services.add(id);
    return id;
  }

  private static DesiredService web(String name, String image, int replicas, UUID container) {
    Map<String, String> labels = new HashMap<>();
    labels.put("skypanel.container", container.toString());
    labels.put("skypanel.org", UUID.randomUUID().toString());
    return new DesiredService("skpt-" + RUN + "-" + name, labels, image, null, null, Map.of("GREETING", "hi"),
        List.of(), List.of(), HTTP_CHECK, 0.25, 64, replicas, "any", 2,
        TIER, List.of(openNetwork), null);
  }

  private static DesiredService sleeper(String name, String network) {
    return new DesiredService("skpt-" + RUN + "-" + name, Map.of("skypanel.container", UUID.randomUUID().toString()), busybox,
        null, List.of("sleep", "3600"), Map.of(), List.of(), List.of(), null, 0.1, 32, 1, "any", 1, TIER,
        List.of(network), null);
  }

  private static DesiredService sleeper(String name, List<String> networks) {
    DesiredService d = sleeper(name, networks.get(0));
    return new DesiredService(d.serviceName(), d.labels(), d.image(), d.entrypoint(), d.cmd(), d.env(), d.secrets(), d.volumes(),
        d.healthcheck(), d.cpu(), d.memoryMb(), d.replicas(), d.restartPolicy(), d.stopGraceSeconds(), d.tier(), networks, d.registryLogin());
  }

  private static DesiredService withReplicas(DesiredService d, int replicas) {
    return copy(d, d.image(), replicas, d.secrets(), d.volumes(), d.registryLogin());
  }

  private static DesiredService withImage(DesiredService d, String image) {
    return copy(d, image, d.replicas(), d.secrets(), d.volumes(), d.registryLogin());
  }

  private static DesiredService copy(DesiredService d, String image, int replicas, List<DesiredService.SecretMount> secrets,
                                     List<DesiredService.VolumeMount> volumes, DesiredService.RegistryLogin login) {
    return new DesiredService(d.serviceName(), d.labels(), image, d.entrypoint(), d.cmd(), d.env(), secrets, volumes,
        d.healthcheck(), d.cpu(), d.memoryMb(), replicas, d.restartPolicy(), d.stopGraceSeconds(), d.tier(), d.networkIds(), login);
  }

  private static List<ServiceState.Task> runningTasks(ServiceState state) {
    return state.tasks().stream()
        .filter(t -> "running".equals(t.state()) && "running".equals(t.desiredState()))
        .toList();
  }

  /** The overlay addresses of the running tasks. */
  private static List<String> endpoints(ServiceState state) {
    return runningTasks(state).stream().map(ServiceState.Task::address).filter(a -> a != null).toList();
  }

  /** The overlay addresses of the running tasks, as the client of the rolling test sees them; empty when inspect fails. */
  private static List<String> addresses(String serviceId) {
    try {
      ServiceState state = await(orchestrator.inspect(serviceId), 30);
      return state == null ? List.of() : state.tasks().stream()
          .filter(t -> "running".equals(t.state()) && t.address() != null)
          .map(ServiceState.Task::address)
          .toList();
    } catch (Exception e) {
      return List.of();
    }
  }

  private static ServiceState awaitState(String id, java.util.function.Predicate<ServiceState> condition) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    ServiceState state = null;
    while (System.nanoTime() < deadline) {
      state = await(orchestrator.inspect(id), 30);
      if (state != null && condition.test(state)) {
        return state;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("service " + id + " did not reach the expected state within " + WAIT + "; last: " + state);
  }

  private static void awaitCondition(Supplier<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT);
      }
      Thread.sleep(50);
    }
  }

  private static JsonObject serviceInspect(String id) {
    return new JsonArray(TestImages.docker("service", "inspect", id)).getJsonObject(0);
  }

  /** Lines of /proc/net/route whose destination is 00000000 (default routes), read inside the container. */
  private static List<String> defaultRoutes(String containerId) {
    String table = TestImages.docker("exec", containerId, "cat", "/proc/net/route");
    List<String> routes = new ArrayList<>();
    for (String line : table.lines().skip(1).toList()) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length > 1 && fields[1].equals("00000000")) {
        routes.add(line);
      }
    }
    return routes;
  }

  /** GET http://127.0.0.1:port/ over a fresh connection; the body when the status is 200. */
  /** GET / on the task's port 8080 at its overlay address, through the gateway's SOCKS5 relay. */
  private static String get(String address) throws IOException {
    return OverlayHttp.get(relayPort, address, 8080);
  }


  private static <T> T await(Future<T> future, int seconds) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + seconds + " s", e);
    }
  }

  private static Throwable failure(Future<?> future) {
    return io.skypanel.controlplane.support.Await.failure(future);
  }

  /** Removes services, then (once their containers are gone) networks, secrets and volumes carrying {@code label}. */
  private static void cleanByLabel(String label) throws InterruptedException {
    for (String id : TestImages.docker("service", "ls", "-q", "--filter", "label=" + label).trim().lines().toList()) {
      if (!id.isBlank()) {
        TestImages.dockerResult("service", "rm", id);
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline
        && !TestImages.docker("ps", "-aq", "--filter", "label=" + label).isBlank()) {
      Thread.sleep(250);
    }
    for (String id : TestImages.docker("ps", "-aq", "--filter", "label=" + label).trim().lines().toList()) {
      if (!id.isBlank()) {
        TestImages.dockerResult("rm", "-f", id);
      }
    }
    for (String network : TestImages.docker("network", "ls", "-q", "--filter", "label=" + label).trim().lines().toList()) {
      if (!network.isBlank()) {
        TestImages.removeNetwork(network);
      }
    }
    for (String kind : List.of("secret", "volume")) {
      Set<String> ids = new HashSet<>(TestImages.docker(kind, "ls", "-q", "--filter", "label=" + label).trim().lines().toList());
      for (String id : ids) {
        if (!id.isBlank()) {
          // a network can lag behind its last container for a moment: retry briefly
          for (int attempt = 0; attempt < 20 && TestImages.dockerResult(kind, "rm", id).code() != 0; attempt++) {
            Thread.sleep(250);
          }
        }
      }
    }
  }
}
