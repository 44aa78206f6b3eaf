package io.skypanel.common.gateway;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HostConfig;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.DockerOptions;
import io.skypanel.common.docker.Labels;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ProxyOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EdgeGateway} on the real engine: it starts its container, joins every network labelled
 * {@code skypanel.network=internal} (a target task on one answers through the relay), and a gateway running an
 * older image is replaced with no failed request: the new one joins every network beside the old one before it
 * takes over.
 */
class EdgeGatewayTest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String NAME = "skypanel-test-gw-edge-" + RUN;
  private static final Map<String, String> LABELS = Map.of("skypanel.test", "true", "skypanel.test.run", RUN);

  private static Vertx vertx;
  private static DockerEngine engine;
  private static String network;
  private static String target;
  private static String oldImage;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    engine = await(DockerEngine.connect(vertx, new DockerOptions(null, 4, 2, 16, 3000, 300_000)));
    assertThat(engine.status().available()).as(engine.status().message()).isTrue();
    DockerClient docker = await(engine.call(client -> client)); // the test blocks on its own thread, never an event loop
    String current = await(new GatewayImage(engine).ensure()).tag();
    // the same image under another reference: to the gateway it is an older release
    oldImage = "skypanel-test/gateway-old:" + RUN;
    docker.tagImageCmd(current, "skypanel-test/gateway-old", RUN).exec();
    Map<String, String> networkLabels = new java.util.HashMap<>(LABELS);
    networkLabels.put(Labels.NETWORK, Labels.NETWORK_INTERNAL);
    network = docker.createNetworkCmd().withName("skp-gwtest-org-" + RUN).withDriver("overlay").withAttachable(true).withInternal(true)
        .withLabels(networkLabels).exec().getId();
    target = docker.createContainerCmd(GatewayImageTest.targetImage(docker)).withName("skp-gwtest-target-" + RUN).withLabels(LABELS)
        .withHostConfig(HostConfig.newHostConfig().withNetworkMode("skp-gwtest-org-" + RUN)).exec().getId();
    docker.startContainerCmd(target).exec();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      DockerClient docker = await(engine.call(client -> client)); // the test blocks on its own thread, never an event loop
      for (var gatewayContainer : docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(EdgeGateway.GATEWAY_LABEL, NAME)).exec()) {
        docker.removeContainerCmd(gatewayContainer.getId()).withForce(true).exec();
      }
      for (String container : List.of(target)) {
        try {
          docker.removeContainerCmd(container).withForce(true).exec();
        } catch (NotFoundException gone) {
          // removed by the test
        }
      }
      // a removed container's attachment lingers for a moment as a task of the network
      io.skypanel.common.testing.Eventually.await("network " + network + " removed", java.time.Duration.ofSeconds(30), () -> {
        try {
          docker.removeNetworkCmd(network).exec();
          return true;
        } catch (NotFoundException gone) {
          return true;
        } catch (RuntimeException inUse) {
          return null;
        }
      });
      docker.removeImageCmd(oldImage).withNoPrune(true).exec();
    } finally {
      engine.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void joins_every_internal_network_and_replaces_an_older_gateway_without_a_failed_request() throws Exception {
    AtomicReference<String> image = new AtomicReference<>(oldImage);
    EdgeGateway gateway = new EdgeGateway(vertx, engine, () -> Future.succeededFuture(image.get()), NAME, LABELS, 1000);
    ProxyOptions first = await(gateway.start());
    String firstContainer = gateway.containerName();
    assertThat(firstContainer).startsWith(NAME + "-");
    assertThat(await(gateway.networks())).contains(network);
    String address = await(engine.call(docker -> docker.inspectContainerCmd(target).exec().getNetworkSettings().getNetworks()
        .get("skp-gwtest-org-" + RUN).getIpAddress()));
    assertThat(get(first, address)).contains("hello from the overlay");
    assertThat(await(gateway.start())).as("an up-to-date gateway is kept, options and all").isSameAs(first);

    // a new release: a client keeps going through whichever relay the gateway names, as the edge does
    image.set(await(new GatewayImage(engine).ensure()).tag());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger requests = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    Thread client = new Thread(() -> {
      while (!stop.get()) {
        try {
          get(gateway.proxyOptions(), address);
        } catch (IOException | RuntimeException e) {
          failures.add(e.toString());
        }
        requests.incrementAndGet();
      }
    }, "gateway-client");
    client.start();
    ProxyOptions second;
    try {
      second = await(gateway.start());
      int seen = requests.get();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (requests.get() < seen + 20 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    } finally {
      stop.set(true);
      client.join(10_000);
    }
    assertThat(second.getPort()).isNotEqualTo(first.getPort());
    assertThat(gateway.containerName()).isNotEqualTo(firstContainer);
    var replaced = await(engine.call(docker -> docker.inspectContainerCmd(gateway.containerName()).exec()));
    assertThat(replaced.getConfig().getImage()).isEqualTo(image.get());
    assertThat(replaced.getNetworkSettings().getNetworks().values().stream().map(n -> n.getNetworkID())).contains(network);
    List<com.github.dockerjava.api.model.Container> left = await(engine.call(docker -> docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(EdgeGateway.GATEWAY_LABEL, NAME)).exec()));
    assertThat(left)
        .as("only the new gateway container is left").hasSize(1);
    System.out.println("gateway replaced under a client loop: " + requests.get() + " requests, " + failures.size() + " failed");
    assertThat(requests.get()).isGreaterThan(20);
    assertThat(failures).as("failed requests out of " + requests.get()).isEmpty();
    assertThat(get(second, address)).contains("hello from the overlay");
  }

  /** GET / on the target's port 8080 through the relay. */
  private static String get(ProxyOptions relay, String address) throws IOException {
    try (Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress(relay.getHost(), relay.getPort())))) {
      socket.connect(new InetSocketAddress(InetAddress.getByName(address), 8080), 2000);
      socket.setSoTimeout(3000);
      socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!response.startsWith("HTTP/1.0 200") && !response.startsWith("HTTP/1.1 200")) {
        throw new IOException("answered: " + response.lines().findFirst().orElse("nothing"));
      }
      return response;
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(180, TimeUnit.SECONDS);
  }
}
