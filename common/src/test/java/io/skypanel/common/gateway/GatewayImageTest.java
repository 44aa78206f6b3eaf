package io.skypanel.common.gateway;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.DockerOptions;
import io.skypanel.common.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The edge gateway image on the real engine, and the relay it runs, end to end: the gateway container on a
 * bridge network with its SOCKS port published on 127.0.0.1 only, connected live to an internal attachable
 * overlay network on which a busybox web server runs; the host reaches that server's overlay address through
 * the published port, and nothing else. Containers and networks this test makes are removed; images are kept
 * (they are a cache, rebuilt only when their content changes).
 */
class GatewayImageTest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final Map<String, String> LABELS = Map.of("skypanel.test", "true", "skypanel.test.run", RUN);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String PAGE = "hello from the overlay\n";

  private static Vertx vertx;
  private static DockerEngine engine;
  private static final List<String> containers = new ArrayList<>();
  private static final List<String> networks = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    engine = await(DockerEngine.connect(vertx, new DockerOptions(null, 4, 2, 16, 3000, 300_000)));
    assertThat(engine.status().available()).as(engine.status().message()).isTrue();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      DockerClient docker = await(engine.call(client -> client)); // the test blocks on its own thread, never an event loop
      for (String container : containers) {
        ignoreMissing(() -> docker.removeContainerCmd(container).withForce(true).exec());
      }
      for (String network : networks) {
        ignoreMissing(() -> docker.removeNetworkCmd(network).exec());
      }
    } finally {
      engine.close();
      await(vertx.close());
    }
  }

  @Test
  void ensuring_twice_gives_one_tag_and_the_second_time_builds_nothing() throws Exception {
    GatewayImage image = new GatewayImage(engine);
    GatewayImage.Ensured first = await(image.ensure());
    GatewayImage.Ensured second = await(image.ensure());

    assertThat(first.tag()).matches("skypanel/edge-gateway:[0-9a-f]{12}");
    assertThat(second.tag()).isEqualTo(first.tag());
    assertThat(second.built()).isFalse();
    InspectImageResponse built = await(engine.call(docker -> docker.inspectImageCmd(first.tag()).exec()));
    assertThat(built.getConfig().getUser()).isEqualTo("10001:10001");
    assertThat(built.getConfig().getEntrypoint()).containsSequence("-jar", "/opt/skypanel/edge-gateway.jar",
        "--listen-interface", "eth0", "--port", "1080");
    assertThat(built.getConfig().getLabels()).containsEntry("io.skypanel.component", "edge-gateway");
  }

  @Test
  void a_missing_base_image_fails_with_the_image_and_the_script_to_run() {
    String absent = "skypanel-test/no-such-jre:" + RUN;
    assertThatThrownBy(() -> await(new GatewayImage(engine, absent).ensure()))
        .hasRootCauseInstanceOf(NotFoundException.class)
        .cause().isInstanceOf(GatewayImageException.class)
        .hasMessageContaining(absent).hasMessageContaining("scripts/build-images.sh");
  }

  @Test
  void the_host_reaches_a_task_on_an_attached_overlay_through_the_published_relay_and_nothing_else() throws Exception {
    DockerClient docker = await(engine.call(client -> client)); // the test blocks on its own thread, never an event loop
    String gatewayImage = await(new GatewayImage(engine).ensure()).tag();
    String targetImage = await(engine.call(GatewayImageTest::targetImage));

    String bridge = network(docker, "skp-gwtest-edge-" + RUN, "bridge", false);
    String overlay = network(docker, "skp-gwtest-org-" + RUN, "overlay", true);
    String target = container(docker, docker.createContainerCmd(targetImage)
        .withName("skp-gwtest-target-" + RUN)
        .withLabels(LABELS)
        .withHostConfig(HostConfig.newHostConfig().withNetworkMode(overlay)).exec().getId());
    ExposedPort relayPort = ExposedPort.tcp(GatewayImage.RELAY_PORT);
    String gateway = container(docker, docker.createContainerCmd(gatewayImage)
        .withName("skp-gwtest-gateway-" + RUN)
        .withLabels(LABELS)
        .withExposedPorts(relayPort)
        .withHostConfig(HostConfig.newHostConfig()
            .withNetworkMode(bridge)
            // published on loopback only, on a port the engine picks
            .withPortBindings(new PortBinding(Ports.Binding.bindIp("127.0.0.1"), relayPort))
            .withCapDrop(Capability.ALL)
            .withReadonlyRootfs(true))
        .exec().getId());
    docker.startContainerCmd(target).exec();
    docker.startContainerCmd(gateway).exec();
    // connected after the relay started, as the edge does for each organization
    docker.connectToNetworkCmd().withContainerId(gateway).withNetworkId(overlay).exec();

    InspectContainerResponse gatewayState = docker.inspectContainerCmd(gateway).exec();
    Ports.Binding published = gatewayState.getNetworkSettings().getPorts().getBindings().get(relayPort)[0];
    assertThat(published.getHostIp()).isEqualTo("127.0.0.1");
    InetSocketAddress relay = new InetSocketAddress("127.0.0.1", Integer.parseInt(published.getHostPortSpec()));
    String targetAddress = docker.inspectContainerCmd(target).exec().getNetworkSettings().getNetworks().get(overlay).getIpAddress();
    String bridgeHost = gatewayState.getNetworkSettings().getNetworks().get(bridge).getGateway();
    String gatewayOnOverlay = docker.inspectContainerCmd(gateway).exec().getNetworkSettings().getNetworks().get(overlay).getIpAddress();

    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProxyOptions(new ProxyOptions()
        .setType(ProxyType.SOCKS5).setHost(relay.getHostString()).setPort(relay.getPort())));
    String body = Eventually.await("the target's page through the gateway " + gatewayImage, WAIT, () ->
        await(client.request(HttpMethod.GET, 8080, targetAddress, "/")
            .compose(request -> request.send().compose(response -> response.body()))).toString());
    assertThat(body).isEqualTo(PAGE);

    assertThat(socksConnect(relay, bridgeHost, 80)).as("the bridge's host side").isEqualTo(0x02);
    assertThat(socksConnect(relay, "10.255.255.254", 80)).as("an address on no attached network").isEqualTo(0x02);
    assertThat(socksConnect(relay, targetAddress, 8081)).as("a closed port on the overlay").isEqualTo(0x05);

    assertThat(logsOf(docker, gateway)).as("the relay runs on Netty's epoll transport in a read-only container")
        .contains("SOCKS5 relay on /" + gatewayState.getNetworkSettings().getNetworks().get(bridge).getIpAddress() + ":1080 (epoll");

    // the relay listens on the bridge only: tasks on the overlay cannot use it
    assertThat(exec(docker, target, "/bin/busybox", "nc", "-w", "2", "127.0.0.1", "8080")).as("control: nc works").isZero();
    assertThat(exec(docker, target, "/bin/busybox", "nc", "-w", "2", gatewayOnOverlay, "1080")).isNotZero();
    await(client.close());
  }

  /** A web server on port 8080 serving {@link #PAGE}: Debian's static busybox on an empty image. */
  static String targetImage(DockerClient docker) throws Exception {
    byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
    String dockerfile = "FROM scratch\n"
        + "COPY busybox /bin/busybox\n"
        + "COPY index.html /www/index.html\n"
        + "ENTRYPOINT [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n";
    String tag = "skypanel-test/gateway-target:" + GatewayImage.tagOf(busybox, PAGE, dockerfile);
    try {
      docker.inspectImageCmd(tag).exec();
      return tag;
    } catch (NotFoundException absent) {
      byte[] context = new TarContext()
          .add("Dockerfile", dockerfile.getBytes(StandardCharsets.UTF_8))
          .add("busybox", busybox, 0755)
          .add("index.html", PAGE.getBytes(StandardCharsets.UTF_8))
          .toBytes();
      try (InputStream tar = new ByteArrayInputStream(context)) {
        docker.buildImageCmd(tar).withTags(Set.of(tag)).withLabels(Map.of("skypanel.test", "true"))
            .exec(new BuildImageResultCallback()).awaitImageId(120, TimeUnit.SECONDS);
      }
      return tag;
    }
  }

  private static String network(DockerClient docker, String name, String driver, boolean overlay) {
    String id = docker.createNetworkCmd().withName(name).withDriver(driver).withLabels(LABELS)
        .withAttachable(overlay ? true : null).withInternal(overlay)
        .exec().getId();
    networks.add(id);
    return name;
  }

  private static String container(DockerClient docker, String id) {
    containers.add(id);
    return id;
  }

  /** Runs a command in a container and returns its exit code. */
  private static long exec(DockerClient docker, String container, String... command) throws Exception {
    String exec = docker.execCreateCmd(container).withCmd(command).withAttachStdout(true).withAttachStderr(true).exec().getId();
    docker.execStartCmd(exec).exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<>()).awaitCompletion(30, TimeUnit.SECONDS);
    return docker.inspectExecCmd(exec).exec().getExitCodeLong();
  }

  private static String logsOf(DockerClient docker, String container) throws Exception {
    StringBuilder logs = new StringBuilder();
    docker.logContainerCmd(container).withStdOut(true).withStdErr(true)
        .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
          @Override
          public void onNext(com.github.dockerjava.api.model.Frame frame) {
            logs.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
          }
        }).awaitCompletion(30, TimeUnit.SECONDS);
    return logs.toString();
  }

  /** A SOCKS5 CONNECT to an IPv4 address, byte by byte; returns the relay's reply code. */
  private static int socksConnect(InetSocketAddress relay, String ipv4, int port) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(relay, 2000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      out.write(new byte[] {5, 1, 0});
      assertThat(new int[] {in.readUnsignedByte(), in.readUnsignedByte()}).containsExactly(5, 0);
      byte[] address = InetAddress.getByName(ipv4).getAddress();
      out.write(new byte[] {5, 1, 0, 1, address[0], address[1], address[2], address[3], (byte) (port >> 8), (byte) port});
      assertThat(in.readUnsignedByte()).isEqualTo(5);
      return in.readUnsignedByte();
    }
  }

  private static void ignoreMissing(Runnable removal) {
    try {
      removal.run();
    } catch (NotFoundException gone) {
      // already removed
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
  }
}
