package io.skypanel.exec.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.DockerOptions;
import io.skypanel.common.errors.ApiException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the engine a task runs on. A task's node is looked up in {@code paas_nodes} by its Swarm node id; a
 * node whose {@code labels} carry {@code docker_host} (e.g. {@code tcp://10.0.0.5:2376}; TLS from the process's
 * {@code DOCKER_TLS_VERIFY} / {@code DOCKER_CERT_PATH}) is reached there. Every other task (no row, no label:
 * the single-node installation) goes to the local engine, the one the platform's {@code DOCKER_HOST} names.
 */
public final class NodeEngines {

  private static final Logger LOG = LoggerFactory.getLogger(NodeEngines.class);
  private static final String DEFAULT_SOCKET = "/var/run/docker.sock";
  /** Exec streams are one connection each for their whole life: allow many. */
  private static final int STREAM_CONNECTIONS = 1024;

  private final DockerEngine platformEngine;
  private final DockerOptions options;
  private final WorkerExecutor executor;
  private final NodeRepository nodes;
  private final Map<String, Future<NodeEngine>> remote = new ConcurrentHashMap<>();
  private volatile NodeEngine local;

  public NodeEngines(DockerEngine platformEngine, DockerOptions options, WorkerExecutor executor, NodeRepository nodes) {
    this.platformEngine = platformEngine;
    this.options = options;
    this.executor = executor;
    this.nodes = nodes;
  }

  /** Prepares the local engine's streaming client; without a local engine, exec answers 503 until restart. */
  public Future<Void> start() {
    if (!platformEngine.configured()) {
      LOG.warn("exec unavailable: {}", platformEngine.status().message());
      return Future.succeededFuture();
    }
    String host = options.host() != null ? options.host()
        : Files.exists(Path.of(DEFAULT_SOCKET)) ? "unix://" + DEFAULT_SOCKET : null;
    if (host == null) {
      return Future.succeededFuture();
    }
    // its own clients, as for a remote node: the platform engine's client is never handed out
    return executor.executeBlocking(() -> new NodeEngine("local", controlClient(host), streamingClient(host), executor, true), false)
        .map(engine -> {
          local = engine;
          return null;
        });
  }

  /** The local engine (the Swarm manager this installation talks to): tasks are listed there. */
  public NodeEngine local() {
    NodeEngine engine = local;
    if (engine == null) {
      throw ApiException.unavailable("orchestration_unavailable", "no Docker engine is available for exec");
    }
    return engine;
  }

  /** The engine of the node {@code swarmNodeId}, see the class comment. */
  public Future<NodeEngine> forNode(String swarmNodeId) {
    NodeEngine fallback;
    try {
      fallback = local();
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    if (swarmNodeId == null) {
      return Future.succeededFuture(fallback);
    }
    return nodes.bySwarmId(swarmNodeId).compose(node -> {
      if (node == null || node.dockerHost() == null) {
        return Future.succeededFuture(fallback);
      }
      return remote.computeIfAbsent(node.dockerHost(), host -> executor.<NodeEngine>executeBlocking(() ->
              new NodeEngine(node.hostname(), controlClient(host), streamingClient(host), executor, true), false)
          .onFailure(err -> remote.remove(host)));
    });
  }

  public void close() {
    remote.values().forEach(engine -> engine.onSuccess(NodeEngine::close));
    remote.clear();
    if (local != null) {
      local.close();
    }
  }

  private DockerClient controlClient(String host) {
    return client(host, Duration.ofMillis(options.responseTimeoutMs()), options.maxConnections());
  }

  /** No response timeout: a console may be silent for minutes, which is not a failure of the engine. */
  private DockerClient streamingClient(String host) {
    return client(host, null, STREAM_CONNECTIONS);
  }

  private DockerClient client(String host, Duration responseTimeout, int connections) {
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
    ApacheDockerHttpClient.Builder http = new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .maxConnections(connections)
        .connectionTimeout(Duration.ofMillis(options.connectTimeoutMs()));
    if (responseTimeout != null) {
      http.responseTimeout(responseTimeout);
    }
    return DockerClientImpl.getInstance(config, http.build());
  }
}
