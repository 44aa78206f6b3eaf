package io.skypanel.common.docker;

import io.skypanel.common.config.Settings;

/**
 * How to reach the Docker engine; {@code host == null} means "use the default socket if present".
 *
 * @param workerPoolSize     workers of ordinary engine calls ({@code skypanel-docker})
 * @param slowWorkerPoolSize workers of slow or streaming engine calls ({@code skypanel-docker-slow})
 */
public record DockerOptions(String host, int workerPoolSize, int slowWorkerPoolSize, int maxConnections, long connectTimeoutMs,
                            long responseTimeoutMs) {

  public static DockerOptions from(Settings settings) {
    return new DockerOptions(
        settings.optional("DOCKER_HOST"),
        settings.integer("SKYPANEL_DOCKER_WORKERS", 8),
        settings.integer("SKYPANEL_DOCKER_SLOW_WORKERS", 4),
        settings.integer("SKYPANEL_DOCKER_MAX_CONNECTIONS", 64),
        settings.longValue("SKYPANEL_DOCKER_CONNECT_TIMEOUT_MS", 3000),
        settings.longValue("SKYPANEL_DOCKER_RESPONSE_TIMEOUT_MS", 60000));
  }
}
