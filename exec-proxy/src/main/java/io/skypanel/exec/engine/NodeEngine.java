package io.skypanel.exec.engine;

import com.github.dockerjava.api.DockerClient;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.function.Function;

/**
 * The Docker engine of one Swarm node, as the exec proxy uses it: short calls (inspect, exec create, resize)
 * on a client with the platform's response timeout, and exec streams on a client without one, since an
 * interactive session may stay silent for as long as its idle timeout allows. Every call runs on the
 * {@code skypanel-exec} worker pool and completes on the caller's context.
 */
public final class NodeEngine {

  private static final Logger LOG = LoggerFactory.getLogger(NodeEngine.class);

  private final String name;
  private final DockerClient control;
  private final DockerClient streams;
  private final WorkerExecutor executor;
  private final boolean ownsControl;

  NodeEngine(String name, DockerClient control, DockerClient streams, WorkerExecutor executor, boolean ownsControl) {
    this.name = name;
    this.control = control;
    this.streams = streams;
    this.executor = executor;
    this.ownsControl = ownsControl;
  }

  /** "local" or the node's hostname; for logs and error messages. */
  public String name() {
    return name;
  }

  /** Runs a blocking docker-java call with the control client on the worker pool. */
  public <T> Future<T> call(Function<DockerClient, T> work) {
    return executor.executeBlocking(() -> work.apply(control), false);
  }

  /** Runs a blocking call that needs the streaming client (exec start) on the worker pool. */
  public <T> Future<T> stream(Function<DockerClient, T> work) {
    return executor.executeBlocking(() -> work.apply(streams), false);
  }

  /** The control client, for code already running on a worker thread of this engine. */
  DockerClient control() {
    return control;
  }

  void close() {
    closeQuietly(streams);
    if (ownsControl) {
      closeQuietly(control);
    }
  }

  private void closeQuietly(DockerClient client) {
    try {
      client.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing a Docker client of {} failed: {}", name, e.getMessage());
    }
  }
}
