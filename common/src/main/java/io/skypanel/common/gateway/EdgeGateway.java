package io.skypanel.common.gateway;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.Labels;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The edge's way into organization networks on one engine: a platform-managed plain container (not a Swarm
 * service, so it can join networks without restarting) that runs a SOCKS5 relay, publishes it on the host's
 * loopback only, and is connected live to every organization's internal overlay network. A process on the host
 * cannot join an overlay network; through this relay it reaches each task at its overlay address, while tenant
 * tasks publish no host port at all.
 *
 * <p>The relay listens only on the container's bridge interface (present at start), never on the overlay
 * interfaces joined later, and connects only to addresses of the overlay networks it joined: a tenant task can
 * neither use it nor reach another organization through it. Every docker-java call runs on the engine's worker
 * pool.
 */
public final class EdgeGateway {

  private static final Logger LOG = LoggerFactory.getLogger(EdgeGateway.class);
  private static final int RELAY_PORT = GatewayImage.RELAY_PORT;
  private static final long READY_TIMEOUT_MS = 30_000;
  private static final long READY_RETRY_MS = 100;

  private final Vertx vertx;
  private final DockerEngine engine;
  private final Supplier<Future<String>> image;
  private final String containerName;
  private final Map<String, String> labels;
  private volatile ProxyOptions proxy;

  /**
   * @param image         ensures the gateway image exists and answers its reference
   * @param containerName the gateway container's name on this engine (one per edge instance)
   * @param labels        extra labels (tests mark what they made)
   */
  public EdgeGateway(Vertx vertx, DockerEngine engine, Supplier<Future<String>> image, String containerName, Map<String, String> labels) {
    this.vertx = vertx;
    this.engine = engine;
    this.image = image;
    this.containerName = containerName;
    this.labels = Map.copyOf(labels);
  }

  /** The relay to dial tenant tasks through, once {@link #start()} succeeded; else null. */
  public ProxyOptions proxyOptions() {
    return proxy;
  }

  public String containerName() {
    return containerName;
  }

  /**
   * Makes sure the gateway container runs the current image, joins every organization network and answers
   * SOCKS5 on its loopback port; completes with the proxy options to use.
   */
  public Future<ProxyOptions> start() {
    return image.get()
        .compose(imageRef -> engine.call(() -> ensureContainer(imageRef)))
        .compose(port -> awaitRelay(port).map(v -> new ProxyOptions().setType(ProxyType.SOCKS5).setHost("127.0.0.1").setPort(port)))
        .compose(options -> syncNetworks().map(options))
        .onSuccess(options -> {
          proxy = options;
          LOG.info("edge gateway {} relays on 127.0.0.1:{}", containerName, options.getPort());
        });
  }

  /** Joins every organization network the gateway is not on yet; answers how many it joined. */
  public Future<Integer> syncNetworks() {
    return engine.call(() -> {
      DockerClient docker = engine.client();
      Set<String> joined = joinedNetworks(docker);
      int added = 0;
      for (Network network : docker.listNetworksCmd().withFilter("label", List.of(Labels.NETWORK + "=" + Labels.NETWORK_INTERNAL)).exec()) {
        if (!joined.contains(network.getId()) && connect(docker, network.getId())) {
          added++;
        }
      }
      return added;
    });
  }

  /** Joins one network now (a new organization's); joining one already joined is not an error. */
  public Future<Void> join(String networkId) {
    return engine.call(() -> {
      DockerClient docker = engine.client();
      if (!joinedNetworks(docker).contains(networkId)) {
        connect(docker, networkId);
      }
      return null;
    });
  }

  /** The organization networks the gateway is on now (ids). */
  public Future<Set<String>> networks() {
    return engine.call(() -> joinedNetworks(engine.client()));
  }

  /** Removes the gateway container (tests; an operator retiring an edge node). */
  public Future<Void> remove() {
    proxy = null;
    return engine.call(() -> {
      try {
        engine.client().removeContainerCmd(containerName).withForce(true).exec();
      } catch (NotFoundException e) {
        // already gone
      }
      return null;
    });
  }

  private boolean connect(DockerClient docker, String networkId) {
    try {
      docker.connectToNetworkCmd().withNetworkId(networkId).withContainerId(containerName).exec();
      LOG.info("edge gateway {} joined network {}", containerName, networkId);
      return true;
    } catch (NotFoundException e) {
      return false; // the network went away meanwhile
    } catch (RuntimeException e) {
      if (e.getMessage() != null && e.getMessage().contains("already exists")) {
        return false; // joined by a concurrent call
      }
      throw e;
    }
  }

  private Set<String> joinedNetworks(DockerClient docker) {
    Map<String, ContainerNetwork> networks = docker.inspectContainerCmd(containerName).exec().getNetworkSettings().getNetworks();
    return networks == null ? Set.of() : networks.values().stream().map(ContainerNetwork::getNetworkID).collect(Collectors.toSet());
  }

  /** Creates (or replaces a stale) gateway container; returns the host port its relay is published on. */
  private int ensureContainer(String imageRef) {
    DockerClient docker = engine.client();
    InspectContainerResponse existing = inspect(docker);
    if (existing != null) {
      boolean current = imageRef.equals(existing.getConfig().getImage()) && Boolean.TRUE.equals(existing.getState().getRunning());
      if (current) {
        return publishedPort(existing);
      }
      LOG.info("replacing edge gateway {} (image {}, running {})", containerName, existing.getConfig().getImage(), existing.getState().getRunning());
      docker.removeContainerCmd(containerName).withForce(true).exec();
    }
    ExposedPort relay = ExposedPort.tcp(RELAY_PORT);
    Ports bindings = new Ports();
    // loopback only: the relay is the edge's, never reachable from another machine
    bindings.bind(relay, Ports.Binding.bindIp("127.0.0.1"));
    HostConfig host = HostConfig.newHostConfig()
        .withPortBindings(bindings)
        .withRestartPolicy(RestartPolicy.unlessStoppedRestart())
        .withCapDrop(Capability.ALL)
        .withSecurityOpts(List.of("no-new-privileges"))
        .withReadonlyRootfs(true)
        .withTmpFs(Map.of("/tmp", "rw,noexec,nosuid,size=16m"))
        .withMemory(128L * 1024 * 1024)
        .withPidsLimit(256L)
        .withInit(true);
    Map<String, String> all = new java.util.TreeMap<>(labels);
    all.put(Labels.ROLE, Labels.ROLE_EDGE_GATEWAY);
    docker.createContainerCmd(imageRef)
        .withName(containerName)
        .withLabels(all)
        .withExposedPorts(relay)
        .withHostConfig(host)
        .exec();
    docker.startContainerCmd(containerName).exec();
    LOG.info("started edge gateway {} from {}", containerName, imageRef);
    return publishedPort(docker.inspectContainerCmd(containerName).exec());
  }

  private InspectContainerResponse inspect(DockerClient docker) {
    try {
      return docker.inspectContainerCmd(containerName).exec();
    } catch (NotFoundException e) {
      return null;
    }
  }

  private static int publishedPort(InspectContainerResponse container) {
    Ports.Binding[] bound = container.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(RELAY_PORT));
    if (bound == null) {
      throw new IllegalStateException("edge gateway publishes no relay port");
    }
    for (Ports.Binding binding : bound) {
      if ("127.0.0.1".equals(binding.getHostIp()) && binding.getHostPortSpec() != null) {
        return Integer.parseInt(binding.getHostPortSpec());
      }
    }
    throw new IllegalStateException("edge gateway relay is not bound on 127.0.0.1");
  }

  /**
   * Waits until the relay answers a SOCKS5 greeting: the engine's port proxy accepts connections before the
   * relay inside listens, so a plain connect proves nothing.
   */
  private Future<Void> awaitRelay(int port) {
    NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(1000));
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
    return greet(client, port, deadline).eventually(client::close);
  }

  private Future<Void> greet(NetClient client, int port, long deadline) {
    return client.connect(port, "127.0.0.1").compose(socket -> {
      io.vertx.core.Promise<Void> answered = io.vertx.core.Promise.promise();
      socket.handler(reply -> {
        if (reply.length() >= 2 && reply.getByte(0) == 5 && reply.getByte(1) == 0) {
          answered.tryComplete();
        } else {
          answered.tryFail("unexpected SOCKS greeting reply");
        }
      });
      socket.closeHandler(v -> answered.tryFail("closed before the SOCKS greeting reply"));
      socket.write(Buffer.buffer(new byte[] {5, 1, 0}));
      return answered.future().eventually(socket::close);
    }).recover(err -> {
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new IllegalStateException("edge gateway relay did not answer within " + READY_TIMEOUT_MS + " ms: " + err.getMessage()));
      }
      io.vertx.core.Promise<Void> retry = io.vertx.core.Promise.promise();
      vertx.setTimer(READY_RETRY_MS, t -> greet(client, port, deadline).onComplete(retry));
      return retry.future();
    });
  }
}
