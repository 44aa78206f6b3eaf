package io.skypanel.common.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The local Docker engine, or the knowledge that there is none. Every docker-java call is blocking, so
 * all of them go through {@link #call(Callable)}, which runs on the named worker pool
 * {@code skypanel-docker} and completes on the caller's context.
 */
public final class DockerEngine implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(DockerEngine.class);
  private static final String DEFAULT_SOCKET = "/var/run/docker.sock";

  private final DockerClient client;
  private final String host;
  private final WorkerExecutor executor;
  private volatile EngineStatus status;

  private DockerEngine(DockerClient client, String host, WorkerExecutor executor, EngineStatus status) {
    this.client = client;
    this.host = host;
    this.executor = executor;
    this.status = status;
  }

  /**
   * Connects to {@code dockerHost} (or the default socket when it exists) and probes it once. Never
   * fails: an absent or silent engine yields an engine whose status says orchestration is unavailable.
   */
  public static Future<DockerEngine> connect(Vertx vertx, DockerOptions options) {
    WorkerExecutor executor = vertx.createSharedWorkerExecutor("skypanel-docker", options.workerPoolSize());
    String host = options.host();
    if (host == null && Files.exists(Path.of(DEFAULT_SOCKET))) {
      host = "unix://" + DEFAULT_SOCKET;
    }
    if (host == null) {
      EngineStatus none = EngineStatus.down("no Docker engine configured (DOCKER_HOST unset, " + DEFAULT_SOCKET + " absent)");
      LOG.warn("orchestration unavailable: {}", none.message());
      return Future.succeededFuture(new DockerEngine(null, null, executor, none));
    }
    String resolvedHost = host;
    return executor.executeBlocking(() -> createClient(resolvedHost, options))
        .map(client -> new DockerEngine(client, resolvedHost, executor, EngineStatus.down("not probed yet")))
        .compose(engine -> engine.probe().map(engine));
  }

  private static DockerClient createClient(String host, DockerOptions options) {
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
    ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .maxConnections(options.maxConnections())
        .connectionTimeout(Duration.ofMillis(options.connectTimeoutMs()))
        .responseTimeout(Duration.ofMillis(options.responseTimeoutMs()))
        .build();
    return DockerClientImpl.getInstance(config, http);
  }

  /** Pings the engine and records version and swarm state; the result is also kept as {@link #status()}. */
  public Future<EngineStatus> probe() {
    if (client == null) {
      return Future.succeededFuture(status);
    }
    return executor.executeBlocking(() -> {
          client.pingCmd().exec();
          Version version = client.versionCmd().exec();
          Info info = client.infoCmd().exec();
          String swarm = info.getSwarm() == null || info.getSwarm().getLocalNodeState() == null
              ? "inactive" : info.getSwarm().getLocalNodeState().name().toLowerCase();
          return EngineStatus.up(version.getVersion(), version.getApiVersion(), swarm);
        })
        .recover(err -> Future.succeededFuture(EngineStatus.down("Docker engine at " + host + " does not answer: " + err.getMessage())))
        .andThen(result -> {
          EngineStatus previous = status;
          status = result.result();
          if (previous.available() != status.available() || "not probed yet".equals(previous.message())) {
            if (status.available()) {
              LOG.info("Docker engine at {}: version {}, API {}, swarm {}", host, status.version(), status.apiVersion(), status.swarm());
            } else {
              LOG.warn("orchestration unavailable: {}", status.message());
            }
          }
        });
  }

  /** Runs a blocking docker-java call on the Docker worker pool. Fails fast when there is no engine. */
  public <T> Future<T> call(Callable<T> work) {
    if (client == null) {
      return Future.failedFuture(new IllegalStateException(status.message()));
    }
    return executor.executeBlocking(work);
  }

  /** The docker-java client; use only inside {@link #call(Callable)}. Null when no engine is configured. */
  public DockerClient client() {
    return client;
  }

  public EngineStatus status() {
    return status;
  }

  @Override
  public void close() {
    if (client != null) {
      try {
        client.close();
      } catch (IOException e) {
        LOG.debug("closing the Docker client failed", e);
      }
    }
    executor.close();
  }

  /** What the engine last answered: reported by {@code /readyz} and node status. */
  public record EngineStatus(boolean available, String version, String apiVersion, String swarm, String message) {

    static EngineStatus up(String version, String apiVersion, String swarm) {
      return new EngineStatus(true, version, apiVersion, swarm, "ok");
    }

    static EngineStatus down(String message) {
      return new EngineStatus(false, null, null, null, message);
    }

    /** True when the engine speaks at least API {@code major.minor}. */
    public boolean supportsApi(int major, int minor) {
      return apiAtLeast(apiVersion, major, minor);
    }

    /** Compares a Docker API version such as {@code 1.41}; null or malformed versions support nothing. */
    public static boolean apiAtLeast(String apiVersion, int major, int minor) {
      if (apiVersion == null) {
        return false;
      }
      String[] parts = apiVersion.trim().split("\\.");
      try {
        int actualMajor = Integer.parseInt(parts[0]);
        int actualMinor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return actualMajor > major || (actualMajor == major && actualMinor >= minor);
      } catch (NumberFormatException e) {
        return false;
      }
    }

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("status", available ? "up" : "down");
      if (available) {
        json.put("version", version).put("api_version", apiVersion).put("swarm", swarm)
            // Swarm accepts Privileges.NoNewPrivileges from API 1.44; older engines rely on the daemon default
            .put("no_new_privileges", supportsApi(1, 44));
      } else {
        json.put("message", "orchestration unavailable: " + message);
      }
      return json;
    }
  }
}
