package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Network;
import io.skypanel.common.docker.DockerEngine;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Engine objects of one resource (an add-on): its internal overlay network that only the resource's service and the
 * services it is attached to join, the secrets labelled with it, and the node labels that decide where it is placed.
 */
final class SwarmResourceNetworks {

  private static final Logger LOG = LoggerFactory.getLogger(SwarmResourceNetworks.class);

  private final DockerEngine engine;
  private final CommonLabels labels;
  private final Removal removal;

  SwarmResourceNetworks(DockerEngine engine, CommonLabels labels, Removal removal) {
    this.engine = engine;
    this.labels = labels;
    this.removal = removal;
  }

  Future<String> ensure(String name, Map<String, String> own) {
    return engine.call(docker -> {
      String existing = find(docker, name);
      if (existing != null) {
        return existing;
      }
      try {
        String id = docker.createNetworkCmd()
            .withName(name)
            .withDriver("overlay")
            .withInternal(true)
            .withAttachable(false)
            .withCheckDuplicate(true)
            .withLabels(labels.with(own))
            .exec()
            .getId();
        LOG.info("created network {} ({})", name, id);
        return id;
      } catch (DockerException e) {
        // a concurrent create won the race: use its network
        String raced = find(docker, name);
        if (raced == null) {
          throw e;
        }
        return raced;
      }
    });
  }

  Future<Void> remove(String name) {
    return removal.removeIfPresent("network", name, docker -> docker.removeNetworkCmd(name).exec());
  }

  Future<Void> removeSecretsLabelled(String label, String value, java.util.Collection<String> keepIds) {
    return engine.call(docker -> {
      for (var secret : docker.listSecretsCmd().withLabelFilter(Map.of(label, value)).exec()) {
        if (keepIds.contains(secret.getId())) {
          continue;
        }
        try {
          docker.removeSecretCmd(secret.getId()).exec();
        } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
          // removed meanwhile
        } catch (DockerException inUse) {
          // a task still mounts it (a rolling update has not finished): a later sweep removes it
          LOG.debug("secret {} not removed yet: {}", secret.getId(), inUse.getMessage());
        }
      }
      return null;
    });
  }

  Future<Boolean> anyNodeLabelled(String label, String value) {
    return engine.call(docker -> docker.listSwarmNodesCmd().exec().stream()
        .anyMatch(node -> node.getSpec() != null && node.getSpec().getLabels() != null
            && value.equals(node.getSpec().getLabels().get(label))));
  }

  private static String find(DockerClient docker, String name) {
    // the name filter matches substrings: keep the exact name only
    return docker.listNetworksCmd().withNameFilter(name).exec().stream()
        .filter(network -> name.equals(network.getName()))
        .map(Network::getId)
        .sorted()
        .findFirst()
        .orElse(null);
  }
}
