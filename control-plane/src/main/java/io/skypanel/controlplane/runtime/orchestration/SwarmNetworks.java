package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Network;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.Labels;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.Map;
import java.util.UUID;

/**
 * The organizations' overlay networks. A network whose {@code Internal} flag differs from the one asked for is
 * not recreated here: {@link #ensure} fails with {@link OrganizationNetworkMismatchException} and the caller decides.
 */
final class SwarmNetworks {

  private static final Logger LOG = LoggerFactory.getLogger(SwarmNetworks.class);
  static final String NETWORK_PREFIX = "org-";
  static final String EGRESS_SUFFIX = "-egress";

  private final DockerEngine engine;
  private final CommonLabels labels;

  SwarmNetworks(DockerEngine engine, CommonLabels labels) {
    this.engine = engine;
    this.labels = labels;
  }

  /** The organization's internal network: every task of the organization and the edge gateways join it. */
  static String networkName(UUID organizationId) {
    return NETWORK_PREFIX + organizationId;
  }

  /** The organization's egress network: joined only while the organization allows egress. */
  static String egressNetworkName(UUID organizationId) {
    return NETWORK_PREFIX + organizationId + EGRESS_SUFFIX;
  }

  Future<OrganizationNetworks> ensure(UUID organizationId, boolean egressAllowed) {
    return engine.call(docker -> {
      String org = organizationId.toString();
      boolean[] created = new boolean[1];
      String internal = ensureNetwork(docker, networkName(organizationId), true, true,
          Map.of(Labels.ORG, org, Labels.NETWORK, Labels.NETWORK_INTERNAL), created);
      String egress = egressAllowed
          ? ensureNetwork(docker, egressNetworkName(organizationId), false, false,
              Map.of(Labels.ORG, org, Labels.NETWORK, Labels.NETWORK_EGRESS), new boolean[1])
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
            .withLabels(labels.with(ownLabels))
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

  /**
   * Removes a deleted organization's networks. Edge gateways are the only containers still joined (the organization
   * had no workload left): they are disconnected first. Gone networks are not an error.
   */
  Future<Void> removeOrganization(UUID organizationId) {
    return engine.call(docker -> {
      for (String name : java.util.List.of(networkName(organizationId), egressNetworkName(organizationId))) {
        Network network = findNetwork(docker, name);
        if (network == null) {
          continue;
        }
        Network inspected = docker.inspectNetworkCmd().withNetworkId(network.getId()).exec();
        if (inspected.getContainers() != null) {
          for (String containerId : inspected.getContainers().keySet()) {
            disconnectGateway(docker, network.getId(), containerId);
          }
        }
        try {
          docker.removeNetworkCmd(network.getId()).exec();
          LOG.info("removed network {} of deleted organization {}", name, organizationId);
        } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
          // removed meanwhile by another control plane
        }
      }
      return null;
    });
  }

  private static void disconnectGateway(DockerClient docker, String networkId, String containerId) {
    try {
      var labels = docker.inspectContainerCmd(containerId).exec().getConfig().getLabels();
      if (labels != null && labels.containsKey(Labels.GATEWAY)) {
        docker.disconnectFromNetworkCmd().withNetworkId(networkId).withContainerId(containerId).withForce(true).exec();
      }
    } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
      // the container went away meanwhile
    }
  }

  private static Network findNetwork(DockerClient docker, String name) {
    // the name filter matches substrings: keep the exact name only; swarm-scoped networks first
    return docker.listNetworksCmd().withNameFilter(name).exec().stream()
        .filter(network -> name.equals(network.getName()))
        .min(Comparator.comparing((Network network) -> "swarm".equals(network.getScope()) ? 0 : 1)
            .thenComparing(network -> network.getId()))
        .orElse(null);
  }
}
