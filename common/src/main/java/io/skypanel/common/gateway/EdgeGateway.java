package io.skypanel.common.gateway;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Network;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.Labels;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

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
  private static final int JOIN_LANES = 4;
  private static final long DEFAULT_DRAIN_MS = 10_000;
  /** Label naming the gateway a container belongs to. */
  public static final String GATEWAY_LABEL = Labels.GATEWAY;

  private final Vertx vertx;
  private final DockerEngine engine;
  private final Supplier<Future<String>> image;
  private final String name;
  private volatile String current;
  private final Map<String, String> labels;
  private final long drainMs;
  private volatile ProxyOptions proxy;

  /**
   * @param image         ensures the gateway image exists and answers its reference
   * @param name          the gateway's name on this engine (one per edge instance): its containers carry it in the
   *                      label {@code skypanel.gateway} and are named {@code <name>-<12 hex of their image>}
   * @param labels        extra labels (tests mark what they made)
   */
  public EdgeGateway(Vertx vertx, DockerEngine engine, Supplier<Future<String>> image, String name, Map<String, String> labels) {
    this(vertx, engine, image, name, labels, DEFAULT_DRAIN_MS);
  }

  /** @param drainMs how long a replaced gateway keeps relaying the connections it has before it is removed */
  public EdgeGateway(Vertx vertx, DockerEngine engine, Supplier<Future<String>> image, String name, Map<String, String> labels,
                     long drainMs) {
    this.drainMs = drainMs;
    this.vertx = vertx;
    this.engine = engine;
    this.image = image;
    this.name = name;
    this.labels = Map.copyOf(labels);
  }

  /** The relay to dial tenant tasks through, once {@link #start()} succeeded; else null. */
  public ProxyOptions proxyOptions() {
    return proxy;
  }

  /** The gateway's name (the label its containers carry). */
  public String name() {
    return name;
  }

  /** The container relaying now, once {@link #start()} succeeded; else null. */
  public String containerName() {
    return current;
  }

  /**
   * Makes sure the gateway container runs the current image, joins every organization network and answers
   * SOCKS5 on its loopback port; completes with the proxy options to use. A gateway running an older image is
   * replaced without a gap: the new one starts beside it (under its own name), joins every network, takes over,
   * and the old one is removed after a drain period.
   */
  public Future<ProxyOptions> start() {
    return image.get().compose(imageRef -> engine.call(docker -> plan(docker, imageRef)).compose(plan -> execute(plan, imageRef)
        .map(options -> switchTo(plan.container(), options))
        .andThen(started -> engine.callSlow(docker -> GatewayImage.pruneOthers(docker, imageRef))
            .onFailure(err -> LOG.warn("unused edge gateway images could not be removed: {}", err.getMessage(), err)))));
  }


  private Future<ProxyOptions> execute(Plan plan, String imageRef) {
    return switch (plan.step()) {
      case CURRENT -> ready(plan.container(), plan.port());
      case CREATE -> engine.callSlow(docker -> GatewayContainers.create(docker, plan.container(), imageRef, name, labels)).compose(port -> ready(plan.container(), port));
      case REPLACE -> engine.callSlow(docker -> GatewayContainers.create(docker, plan.container(), imageRef, name, labels))
          .compose(port -> ready(plan.container(), port))
          .compose(options -> {
            // new connections go through the new relay from now on; the old ones drain before they go
            switchTo(plan.container(), options);
            Promise<Void> drained = Promise.promise();
            vertx.setTimer(drainMs, t -> drained.complete());
            return drained.future().compose(v -> engine.call(docker -> {
              for (String old : plan.others()) {
                GatewayContainers.remove(docker, old);
              }
              LOG.info("edge gateway {} replaced by {} running {}", name, plan.container(), imageRef);
              return options;
            }));
          });
    };
  }

  /** Makes {@code options} (of {@code container}) the relay to use; keeps the same object while the port is unchanged. */
  private synchronized ProxyOptions switchTo(String container, ProxyOptions options) {
    ProxyOptions now = proxy;
    // the same relay keeps the same options object: HTTP clients pool connections per proxy
    current = container;
    if (now != null && now.getPort() == options.getPort()) {
      return now;
    }
    LOG.info("edge gateway {} relays on 127.0.0.1:{}", name, options.getPort());
    proxy = options;
    return options;
  }

  /** The relay answers and the container has joined every network: its proxy options. */
  private Future<ProxyOptions> ready(String container, int port) {
    return RelayProbe.await(vertx, port)
        .compose(v -> syncNetworks(container))
        .map(joined -> new ProxyOptions().setType(ProxyType.SOCKS5).setHost("127.0.0.1").setPort(port));
  }

  private enum Step { CURRENT, CREATE, REPLACE }

  /** What {@link #start()} does: with which container, on which port if it runs, and which containers go. */
  private record Plan(Step step, String container, int port, List<String> others) {
  }

  /**
   * Judged from the engine: the gateway's containers (by label) other than the one for {@code imageRef} are
   * older releases or leftovers; a running one keeps relaying until the new one took over.
   */
  private Plan plan(DockerClient docker, String imageRef) {
    String wanted = name + "-" + GatewayImage.tagOf(imageRef.getBytes(java.nio.charset.StandardCharsets.UTF_8), "", "");
    List<String> others = new java.util.ArrayList<>();
    boolean oldRunning = false;
    InspectContainerResponse mine = null;
    for (var container : docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(GATEWAY_LABEL, name)).exec()) {
      InspectContainerResponse inspected = GatewayContainers.inspect(docker, container.getId());
      if (inspected == null) {
        continue;
      }
      String containerName = inspected.getName().startsWith("/") ? inspected.getName().substring(1) : inspected.getName();
      boolean running = Boolean.TRUE.equals(inspected.getState().getRunning());
      if (containerName.equals(wanted) && running) {
        mine = inspected;
      } else if (containerName.equals(wanted) || !running) {
        GatewayContainers.remove(docker, containerName); // stopped or half made: serves nothing, no gap to avoid
      } else {
        others.add(containerName);
        oldRunning = true;
      }
    }
    if (mine != null) {
      for (String old : others) {
        GatewayContainers.remove(docker, old); // a replacement that was interrupted after the switch
      }
      return new Plan(Step.CURRENT, wanted, GatewayContainers.publishedPort(mine), List.of());
    }
    return new Plan(oldRunning ? Step.REPLACE : Step.CREATE, wanted, 0, List.copyOf(others));
  }

  /**
   * Joins every organization network the gateway is not on yet, {@value #JOIN_LANES} at a time (one join takes about
   * a second on this engine, so a fresh gateway on a busy engine would otherwise need minutes); answers how many it
   * joined.
   */
  public Future<Integer> syncNetworks() {
    String container = current;
    return container == null ? Future.failedFuture("the edge gateway has not started") : syncNetworks(container);
  }

  private Future<Integer> syncNetworks(String container) {
    return engine.call(docker -> {
      Set<String> joined = GatewayContainers.joinedNetworks(docker, container);
      return docker.listNetworksCmd().withFilter("label", List.of(Labels.NETWORK + "=" + Labels.NETWORK_INTERNAL)).exec().stream()
          .map(Network::getId).filter(id -> !joined.contains(id)).toList();
    }).compose(missing -> {
      List<Future<Integer>> lanes = new java.util.ArrayList<>();
      for (int lane = 0; lane < JOIN_LANES; lane++) {
        Future<Integer> chain = Future.succeededFuture(0);
        for (int i = lane; i < missing.size(); i += JOIN_LANES) {
          String networkId = missing.get(i);
          // a join takes about a second: on the slow pool, so a fresh gateway cannot starve the reconciler
          chain = chain.compose(count -> engine.callSlow(docker -> GatewayContainers.connect(docker, container, networkId) ? count + 1 : count));
        }
        lanes.add(chain);
      }
      return Future.all(lanes).map(all -> all.<Integer>list().stream().mapToInt(Integer::intValue).sum());
    });
  }

  /** Joins one network now (a new organization's); joining one already joined is not an error. */
  public Future<Void> join(String networkId) {
    String container = current;
    if (container == null) {
      return Future.failedFuture("the edge gateway has not started");
    }
    return engine.callSlow(docker -> {
      if (!GatewayContainers.joinedNetworks(docker, container).contains(networkId)) {
        GatewayContainers.connect(docker, container, networkId);
      }
      return null;
    });
  }

  /** The organization networks the gateway is on now (ids). */
  public Future<Set<String>> networks() {
    String container = current;
    return container == null ? Future.succeededFuture(Set.of()) : engine.call(docker -> GatewayContainers.joinedNetworks(docker, container));
  }

  /** Removes the gateway's containers (tests; an operator retiring an edge node). */
  public Future<Void> remove() {
    proxy = null;
    current = null;
    return engine.call(docker -> {
      for (var container : docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(GATEWAY_LABEL, name)).exec()) {
        GatewayContainers.remove(docker, container.getId());
      }
      return null;
    });
  }
}
