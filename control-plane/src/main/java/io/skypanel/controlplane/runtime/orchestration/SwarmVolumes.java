package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.skypanel.common.docker.DockerEngine;
import io.vertx.core.Future;

import java.util.Map;

/** Named local volumes. */
final class SwarmVolumes {

  private final DockerEngine engine;
  private final CommonLabels labels;
  private final Removal removal;

  SwarmVolumes(DockerEngine engine, CommonLabels labels, Removal removal) {
    this.engine = engine;
    this.labels = labels;
    this.removal = removal;
  }

  /** Creates the volume unless it exists (idempotent). */
  Future<Void> create(String name, Map<String, String> own) {
    return engine.call(docker -> {
      try {
        docker.inspectVolumeCmd(name).exec();
        return null;
      } catch (NotFoundException absent) {
        // create it below
      }
      docker.createVolumeCmd()
          .withName(name)
          .withDriver("local")
          .withLabels(labels.with(own))
          .exec();
      return null;
    });
  }

  Future<Void> remove(String name) {
    return removal.removeIfPresent("volume", name, docker -> docker.removeVolumeCmd(name).exec());
  }
}
