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

/**
 * The local Docker engine, or the knowledge that there is none. Every docker-java call is blocking, so the
 * client is never handed out: work reaches it only as a {@link DockerCall}, run by {@link #call(DockerCall)} on the
 * named worker pool {@code skypanel-docker}, or by {@link #callSlow(DockerCall)} on {@code skypanel-docker-slow} for
 * slow or streaming calls (stats samples, log reads, helper tasks, image builds and pulls), so those cannot take
 * every worker reconciliation needs. Both complete on the caller's context.
 */
public final class DockerEngine implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(DockerEngine.class);
  private static final String DEFAULT_SOCKET = "/var/run/docker.sock";
  /** The worker pool of ordinary engine calls. */
  public static final String POOL = "skypanel-docker";
  /** The worker pool of slow or streaming engine calls. */
  public static final String SLOW_POOL = "skypanel-docker-slow";

  private final DockerClient client;
  private final String host;
  private final WorkerExecutor executor;
  private final WorkerExecutor slowExecutor;
  private volatile EngineStatus status;

  private DockerEngine(DockerClient client, String host, WorkerExecutor executor, WorkerExecutor slowExecutor, EngineStatus status) {
    this.client = client;
    this.host = host;
    this.executor = executor;
    this.slowExecutor = slowExecutor;
    this.status = status;
  }

  /**
   * Connects to {@code dockerHost} (or the default socket when it exists) and probes it once. Never
   * fails: an absent or silent engine yields an engine whose status says orchestration is unavailable.
   */
  public static Future<DockerEngine> connect(Vertx vertx, DockerOptions options) {
    WorkerExecutor executor = vertx.createSharedWorkerExecutor(POOL, options.workerPoolSize());
    WorkerExecutor slowExecutor = vertx.createSharedWorkerExecutor(SLOW_POOL, options.slowWorkerPoolSize());
    String host = options.host();
    if (host == null && Files.exists(Path.of(DEFAULT_SOCKET))) {
      host = "unix://" + DEFAULT_SOCKET;
    }
    if (host == null) {
      EngineStatus none = EngineStatus.down("no Docker engine configured (DOCKER_HOST unset, " + DEFAULT_SOCKET + " absent)");
      LOG.warn("orchestration unavailable: {}", none.message());
      return Future.succeededFuture(new DockerEngine(null, null, executor, slowExecutor, none));
    }
    String resolvedHost = host;
    return executor.executeBlocking(() -> createClient(resolvedHost, options))
        .map(client -> new DockerEngine(client, resolvedHost, executor, slowExecutor, EngineStatus.down("not probed yet")))
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
    return DockerClientImpl.getInstance(config, new UncompressedResponses(http));
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

  /** Runs a short blocking docker-java call on the Docker worker pool. Fails fast when there is no engine. */
  public <T> Future<T> call(DockerCall<T> work) {
    return run(executor, work);
  }

  /**
   * Runs a slow or streaming docker-java call (one that may take seconds or hold a stream open) on the separate
   * slow pool, so it never occupies a worker the reconciler's short calls need. Fails fast when there is no engine.
   */
  public <T> Future<T> callSlow(DockerCall<T> work) {
    return run(slowExecutor, work);
  }

  private <T> Future<T> run(WorkerExecutor pool, DockerCall<T> work) {
    if (client == null) {
      return Future.failedFuture(new IllegalStateException(status.message()));
    }
    return pool.executeBlocking(() -> work.apply(client));
  }

  /** Whether an engine is configured at all (it may still not answer: see {@link #status()}). */
  public boolean configured() {
    return client != null;
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
    slowExecutor.close();
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
