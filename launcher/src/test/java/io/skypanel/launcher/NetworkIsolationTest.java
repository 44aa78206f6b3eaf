package io.skypanel.launcher;

import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.TestImages;
import io.skypanel.launcher.support.WholePlatform;
import io.skypanel.launcher.support.WholePlatform.EdgeAnswer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reachable and isolated by default, the whole platform in one process against the real engine: a container of
 * the default policy ({@code egress: deny}) publishes no host port, has no route out, and is reached by the edge
 * through its gateway on the organization's internal overlay network; egress can be switched both ways under
 * load without a failed request; one organization's task cannot connect to another's, nor to the gateway's relay;
 * and a container the edge cannot reach is not shown as running.
 */
class NetworkIsolationTest {

  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

  private static WholePlatform platform;
  private static ApiClient api;

  record Tenant(ApiClient.Session session, String org, String containerId, String hostname) {
  }

  @BeforeAll
  static void start() throws IOException {
    platform = WholePlatform.builder("isolation").set("SKYPANEL_EDGE_HEALTH_INTERVAL_MS", 1000).start();
    api = platform.api();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (platform != null) {
      platform.close();
    }
  }

  // ------------------------------------------------------------------------------------------------ tests

  @Test
  void a_default_policy_container_publishes_nothing_has_no_way_out_and_answers_through_the_edge() {
    Set<String> listenersBefore = engineListeners();
    Tenant alice = tenant("Alice", TestImages.web("iso-alice", "hello alice"), null);

    // routable within a second of the engine reporting the task running with its overlay endpoint
    long recorded = System.nanoTime();
    String body = Eventually.await("alice routed", Duration.ofSeconds(5), () -> {
      EdgeAnswer answer = viaEdge(alice.hostname());
      return answer.statusCode() == 200 ? answer.body().trim() : null;
    });
    long routedMs = (System.nanoTime() - recorded) / 1_000_000;
    System.out.println("default-policy container routed " + routedMs + " ms after its endpoint was recorded");
    assertThat(body).isEqualTo("hello alice");
    assertThat(routedMs).as("ms from recorded endpoint to the first 200 at the edge").isLessThan(1000);

    // nothing published: not in the service, not as a host listener of the engine
    JsonObject service = new JsonArray(TestImages.docker("service", "inspect", "c-" + alice.containerId())).getJsonObject(0);
    assertThat(service.getJsonObject("Spec").getJsonObject("EndpointSpec", new JsonObject()).getJsonArray("Ports")).isNull();
    assertThat(service.getJsonObject("Endpoint", new JsonObject()).getJsonArray("Ports")).isNull();
    Set<String> newListeners = engineListeners();
    newListeners.removeAll(listenersBefore);
    assertThat(newListeners).as("host listeners the engine opened for the container").isEmpty();

    // no way out, by inspection: internal network only, no default route, no gateway-bridge interface
    String task = taskContainer(alice.containerId());
    JsonObject networks = new JsonArray(TestImages.docker("container", "inspect", task)).getJsonObject(0)
        .getJsonObject("NetworkSettings").getJsonObject("Networks");
    assertThat(networks.fieldNames()).containsExactly("org-" + alice.org());
    JsonObject network = new JsonArray(TestImages.docker("network", "inspect", "org-" + alice.org())).getJsonObject(0);
    assertThat(network.getBoolean("Internal")).isTrue();
    assertThat(defaultRoutes(task)).as("default routes inside the task").isEmpty();
    assertThat(TestImages.docker("exec", task, "ls", "/sys/class/net").trim().split("\\s+"))
        .as("interfaces inside the task").containsExactlyInAnyOrder("lo", "eth0");

    // the container says how many healthy endpoints the edge has for it
    JsonObject edge = Eventually.await("the edge's report on alice", Duration.ofSeconds(10), () -> {
      JsonObject c = container(alice);
      return c.getJsonObject("edge") != null && c.getJsonObject("edge").getInteger("healthy") == 1 ? c.getJsonObject("edge") : null;
    });
    assertThat(edge.getInteger("endpoints")).isEqualTo(1);
    assertThat(container(alice).getString("status")).isEqualTo("running");
  }

  @Test
  void egress_switches_both_ways_under_a_client_loop_without_a_failed_request() throws Exception {
    Tenant erin = tenant("Erin", TestImages.web("iso-erin", "hello erin"), null);
    Eventually.await("erin routed", Duration.ofSeconds(10), () -> viaEdge(erin.hostname()).statusCode() == 200 ? true : null);

    AtomicBoolean stop = new AtomicBoolean();
    List<String> failures = new CopyOnWriteArrayList<>();
    int[] total = {0};
    Thread client = new Thread(() -> {
      while (!stop.get()) {
        try {
          EdgeAnswer answer = viaEdge(erin.hostname());
          if (answer.statusCode() != 200) {
            failures.add(answer.statusCode() + " " + answer.body().trim());
          }
        } catch (RuntimeException e) {
          failures.add(String.valueOf(e.getMessage()));
        }
        total[0]++;
      }
    }, "egress-client");
    client.start();
    try {
      setEgress(erin, "allow");
      Eventually.await("erin's task on the egress network", CONVERGE, () -> {
        String task = taskContainerOrNull(erin.containerId());
        return task != null && taskNetworks(task).contains("org-" + erin.org() + "-egress") && !defaultRoutes(task).isEmpty()
            && "running".equals(container(erin).getString("status")) ? true : null;
      });
      setEgress(erin, "deny");
      Eventually.await("erin's task off the egress network", CONVERGE, () -> {
        String task = taskContainerOrNull(erin.containerId());
        return task != null && taskNetworks(task).equals(Set.of("org-" + erin.org())) && defaultRoutes(task).isEmpty()
            && "running".equals(container(erin).getString("status")) ? true : null;
      });
      int seen = total[0];
      Eventually.await("more requests after the switch back", Duration.ofSeconds(10), () -> total[0] > seen + 20 ? true : null);
    } finally {
      stop.set(true);
      client.join(10_000);
    }
    System.out.println("egress allow and back under a client loop: " + total[0] + " requests, " + failures.size() + " failed");
    assertThat(total[0]).isGreaterThan(50);
    assertThat(failures).as("failed requests out of " + total[0]).isEmpty();
  }

  @Test
  void one_organizations_task_cannot_connect_to_anothers_task_nor_to_the_gateway_relay() {
    Tenant anna = tenant("Anna", TestImages.web("iso-anna", "hello anna"), null);
    Tenant bert = tenant("Bert", TestImages.web("iso-bert", "hello bert"), null);
    String annaTask = taskContainer(anna.containerId());
    String bertTask = taskContainer(bert.containerId());
    String annaAddress = overlayAddress(annaTask, "org-" + anna.org());
    String bertAddress = overlayAddress(bertTask, "org-" + bert.org());
    String gatewayContainer = TestImages.docker("ps", "-q", "--filter", "label=skypanel.gateway=" + platform.gateway()).trim();
    String gatewayOnBertsNetwork = overlayAddress(gatewayContainer, "org-" + bert.org());

    // the probe works: each task reaches itself on its own organization network
    assertThat(httpFrom(annaTask, annaAddress, 8080)).contains("hello anna");
    assertThat(httpFrom(bertTask, bertAddress, 8080)).contains("hello bert");
    // across organizations: no route, nothing answers
    assertThat(httpFrom(bertTask, annaAddress, 8080)).as("bert's task to anna's task").doesNotContain("hello anna");
    assertThat(connects(bertTask, annaAddress, 8080)).as("bert's task connecting to anna's task").isFalse();
    // the gateway is on bert's network, but its relay listens only on its loopback-published bridge address
    assertThat(connects(bertTask, gatewayOnBertsNetwork, 1080)).as("bert's task connecting to the gateway's relay").isFalse();
  }

  @Test
  void a_running_container_the_edge_cannot_reach_says_why() {
    // listens nowhere: Swarm runs it, the edge's probes of port 8080 are refused
    Tenant dora = tenant("Dora", TestImages.broken("iso-dora"), null);
    JsonObject c = Eventually.await("dora shown unreachable", CONVERGE, () -> {
      JsonObject view = container(dora);
      return "unreachable".equals(view.getString("status")) && view.getJsonObject("edge").getInteger("endpoints") == 1 ? view : null;
    });
    assertThat(c.getJsonObject("edge").getInteger("healthy")).isZero();
    assertThat(c.getJsonObject("edge").getInteger("endpoints")).isEqualTo(1);
    assertThat(c.getString("status_reason")).contains("the edge cannot reach any endpoint");
    assertThat(c.getInteger("running_replicas")).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** A user with a container of {@code image} exposing port 8080, created with the default network policy. */
  private static Tenant tenant(String name, String image, JsonArray cmd) {
    ApiClient.Session session = platform.newUser(name + " " + RUN);
    String org = session.personalOrganizationId();
    // the performance plan's edge rate limit lets the client loops through
    platform.usePlan(org, "performance");
    JsonObject body = new JsonObject().put("name", "web").put("image_ref", TestImages.digestOf(image))
        .put("ports", new JsonArray().add(new JsonObject().put("container_port", 8080)))
        .put("resources", new JsonObject().put("cpu", 0.25).put("memory_mb", 64));
    if (cmd != null) {
      body.put("cmd", cmd);
    }
    var created = Await.result(api.post("/api/caas/containers", session.token(), body));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(202);
    String id = created.bodyAsJsonObject().getString("id");
    Tenant tenant = new Tenant(session, org, id, created.bodyAsJsonObject().getString("default_domain"));
    Eventually.await(name + "'s endpoint recorded", CONVERGE, () -> {
      JsonObject c = container(tenant);
      return c.getInteger("running_replicas") >= 1 && !c.getJsonArray("endpoints").isEmpty() ? c : null;
    });
    return tenant;
  }

  private static JsonObject container(Tenant tenant) {
    return Await.result(api.get("/api/caas/containers/" + tenant.containerId(), tenant.session().token())).bodyAsJsonObject();
  }

  private static void setEgress(Tenant tenant, String egress) {
    var response = Await.result(api.send(HttpMethod.PUT, "/api/caas/policies/network", tenant.session().token(),
        new JsonObject().put("egress", egress)));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
  }

  private static EdgeAnswer viaEdge(String host) {
    return platform.viaEdge(host);
  }

  private static String taskContainer(String containerId) {
    return Eventually.await("a running task container of " + containerId, CONVERGE, () -> taskContainerOrNull(containerId));
  }

  private static String taskContainerOrNull(String containerId) {
    String ids = TestImages.docker("ps", "-q", "--filter", "label=skypanel.container=" + containerId, "--filter", "status=running").trim();
    return ids.isEmpty() || ids.contains("\n") ? null : ids;
  }

  private static Set<String> taskNetworks(String task) {
    TestImages.Result inspect = TestImages.dockerResult("container", "inspect", task);
    if (inspect.code() != 0) {
      return Set.of();
    }
    return new JsonArray(inspect.out()).getJsonObject(0).getJsonObject("NetworkSettings").getJsonObject("Networks").fieldNames();
  }

  private static String overlayAddress(String container, String network) {
    return new JsonArray(TestImages.docker("container", "inspect", container)).getJsonObject(0)
        .getJsonObject("NetworkSettings").getJsonObject("Networks").getJsonObject(network).getString("IPAddress");
  }

  /** The default routes in the container's routing table (destination 00000000), read from /proc. */
  private static List<String> defaultRoutes(String container) {
    TestImages.Result routes = TestImages.dockerResult("exec", container, "cat", "/proc/net/route");
    if (routes.code() != 0) {
      return List.of("unreadable: " + routes.out());
    }
    return routes.out().lines().skip(1).filter(line -> line.split("\\s+").length > 1 && "00000000".equals(line.split("\\s+")[1])).toList();
  }

  /** What an HTTP GET from inside {@code container} to {@code address:port} got back (empty when nothing answered). */
  private static String httpFrom(String container, String address, int port) {
    return TestImages.dockerResult("exec", container, "sh", "-c",
        "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 " + address + " " + port).out();
  }

  /** True when a TCP connection from inside {@code container} to {@code address:port} opens within 2 s. */
  private static boolean connects(String container, String address, int port) {
    return TestImages.dockerResult("exec", container, "sh", "-c", "nc -z -w 2 " + address + " " + port).code() == 0;
  }

  /** Listening TCP sockets on the host owned by the engine (dockerd, docker-proxy), as "address:port process". */
  private static Set<String> engineListeners() {
    ProcessBuilder builder = new ProcessBuilder("ss", "-Hlntp").redirectErrorStream(true);
    try {
      Process process = builder.start();
      String out = new String(process.getInputStream().readAllBytes());
      process.waitFor();
      return out.lines().filter(line -> line.contains("dockerd") || line.contains("docker-proxy"))
          .map(line -> line.split("\\s+")[3] + " " + line.replaceAll(".*users:", ""))
          .collect(Collectors.toCollection(java.util.HashSet::new));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
