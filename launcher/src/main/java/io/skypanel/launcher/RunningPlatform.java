package io.skypanel.launcher;

import io.skypanel.common.Platform;
import io.skypanel.common.ServiceVerticle;
import io.skypanel.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A started SkyPanel process: its Vert.x instance, the shared {@link Platform}, the deployed services
 * with the addresses they actually listen on, and whichever embedded servers the launcher started.
 */
public final class RunningPlatform {

  private final Vertx vertx;
  private final Platform platform;
  private final Path dataDirectory;
  private final List<ServiceVerticle> services;
  private final EmbeddedDatabase embeddedDatabase;
  private final LocalRedis localRedis;
  private final Map<String, List<String>> endpoints;
  private final Supplier<Future<Void>> stopper;

  RunningPlatform(Vertx vertx, Platform platform, Path dataDirectory, List<ServiceVerticle> services,
                  EmbeddedDatabase embeddedDatabase, LocalRedis localRedis, Supplier<Future<Void>> stopper) {
    this.vertx = vertx;
    this.platform = platform;
    this.dataDirectory = dataDirectory;
    this.services = List.copyOf(services);
    this.embeddedDatabase = embeddedDatabase;
    this.localRedis = localRedis;
    this.stopper = stopper;
    Map<String, List<String>> urls = new LinkedHashMap<>();
    for (ServiceVerticle service : services) {
      urls.put(service.serviceName(), List.copyOf(service.endpoints()));
    }
    this.endpoints = Collections.unmodifiableMap(urls);
  }

  public Vertx vertx() {
    return vertx;
  }

  public Platform platform() {
    return platform;
  }

  /** The settings as the services see them, including computed DATABASE_URL and REDIS_URL. */
  public Settings settings() {
    return platform.settings();
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  /** Deployed services in deployment order. */
  public List<ServiceVerticle> services() {
    return services;
  }

  /** Service name to the URLs it listens on (actual ports), in deployment order. */
  public Map<String, List<String>> endpoints() {
    return endpoints;
  }

  /** The URLs of one service; fails for a service this process does not run. */
  public List<String> endpoints(String service) {
    List<String> urls = endpoints.get(service);
    if (urls == null) {
      throw new IllegalArgumentException("service " + service + " is not running in this process (running: " + endpoints.keySet() + ")");
    }
    return urls;
  }

  /** The actual port of a service's first listener (the API for control-plane, plain HTTP for edge-router). */
  public int port(String service) {
    return port(service, 0);
  }

  /** The actual port of a service's listener number {@code index}, in {@link #endpoints(String)} order. */
  public int port(String service, int index) {
    return URI.create(endpoints(service).get(index)).getPort();
  }

  /** The embedded PostgreSQL, when DATABASE_URL was unset. */
  public Optional<EmbeddedDatabase> embeddedDatabase() {
    return Optional.ofNullable(embeddedDatabase);
  }

  /** The local Redis, when REDIS_URL was unset. */
  public Optional<LocalRedis> localRedis() {
    return Optional.ofNullable(localRedis);
  }

  /**
   * Undeploys the services, closes the platform's connections, the Redis and PostgreSQL this process
   * started, and Vert.x. Idempotent: every call returns the same outcome.
   */
  public Future<Void> stop() {
    return stopper.get();
  }
}
