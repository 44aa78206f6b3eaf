package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.skypanel.common.docker.DockerEngine;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/** Idempotent removal of engine objects: what is already gone counts as removed. */
final class Removal {

  private static final Logger LOG = LoggerFactory.getLogger(Removal.class);

  private final DockerEngine engine;

  Removal(DockerEngine engine) {
    this.engine = engine;
  }

  Future<Void> removeIfPresent(String what, String id, Consumer<DockerClient> remove) {
    return engine.call(docker -> {
      try {
        remove.accept(docker);
      } catch (NotFoundException e) {
        LOG.debug("{} {} already gone", what, id);
      }
      return null;
    });
  }
}
