package io.skypanel.common.gateway;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import io.skypanel.common.docker.Labels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The engine calls behind {@link EdgeGateway}, run on its engine's worker pools: creating the hardened gateway
 * container (relay published on loopback only), joining networks, reading what it is on, removing it.
 */
final class GatewayContainers {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayContainers.class);
  private static final int RELAY_PORT = GatewayImage.RELAY_PORT;

  private GatewayContainers() {
  }

  static void remove(DockerClient docker, String container) {
    try {
      docker.removeContainerCmd(container).withForce(true).exec();
    } catch (NotFoundException e) {
      // already gone
    }
  }

  static boolean connect(DockerClient docker, String container, String networkId) {
    try {
      docker.connectToNetworkCmd().withNetworkId(networkId).withContainerId(container).exec();
      LOG.info("edge gateway {} joined network {}", container, networkId);
      return true;
    } catch (NotFoundException e) {
      return false; // the network went away meanwhile
    } catch (RuntimeException e) {
      if (e.getMessage() != null && e.getMessage().contains("already exists")) {
        return false; // joined by a concurrent call
      }
      if (e.getMessage() != null && e.getMessage().contains("not found")) {
        // Swarm answers 500 "network … not found" for a network removed between the listing and the join (a deleted
        // organization's): there is nothing to join
        return false;
      }
      throw e;
    }
  }

  static Set<String> joinedNetworks(DockerClient docker, String container) {
    Map<String, ContainerNetwork> networks = docker.inspectContainerCmd(container).exec().getNetworkSettings().getNetworks();
    return networks == null ? Set.of() : networks.values().stream().map(ContainerNetwork::getNetworkID).collect(Collectors.toSet());
  }

  /** Creates and starts a gateway container of gateway {@code name}; returns the host port its relay is published on. */
  static int create(DockerClient docker, String container, String imageRef, String name, Map<String, String> labels) {
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
    all.put(Labels.GATEWAY, name);
    docker.createContainerCmd(imageRef)
        .withName(container)
        .withLabels(all)
        .withExposedPorts(relay)
        .withHostConfig(host)
        .exec();
    docker.startContainerCmd(container).exec();
    LOG.info("started edge gateway {} from {}", container, imageRef);
    return publishedPort(docker.inspectContainerCmd(container).exec());
  }

  static InspectContainerResponse inspect(DockerClient docker, String container) {
    try {
      return docker.inspectContainerCmd(container).exec();
    } catch (NotFoundException e) {
      return null;
    }
  }

  static int publishedPort(InspectContainerResponse container) {
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
}
