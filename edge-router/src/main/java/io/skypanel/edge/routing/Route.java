package io.skypanel.edge.routing;

import io.vertx.core.net.SocketAddress;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where one hostname goes: the owning organization's container and the live endpoints of its public HTTP
 * port. Immutable apart from the round-robin position; a changed container gets a new Route.
 */
public final class Route {

  private final String host;
  private final UUID organizationId;
  private final UUID containerId;
  private final List<SocketAddress> endpoints;
  private final AtomicInteger next = new AtomicInteger();
  /** Endpoints that refused a connection, until when they are skipped (passive health check). */
  private final Map<SocketAddress, Long> downUntil = new ConcurrentHashMap<>();

  public Route(String host, UUID organizationId, UUID containerId, List<SocketAddress> endpoints) {
    this.host = host;
    this.organizationId = organizationId;
    this.containerId = containerId;
    this.endpoints = List.copyOf(endpoints);
  }

  public String host() {
    return host;
  }

  public UUID organizationId() {
    return organizationId;
  }

  public UUID containerId() {
    return containerId;
  }

  public List<SocketAddress> endpoints() {
    return endpoints;
  }

  /**
   * The next endpoint in round-robin order, skipping endpoints recently marked down while any other is up;
   * null when the container has none.
   */
  public SocketAddress nextEndpoint() {
    if (endpoints.isEmpty()) {
      return null;
    }
    long now = System.nanoTime();
    for (int tries = 0; tries < endpoints.size(); tries++) {
      SocketAddress candidate = endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size()));
      Long until = downUntil.get(candidate);
      if (until == null || until - now < 0) {
        return candidate;
      }
    }
    // everything is marked down: try anyway rather than fail without asking
    return endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size()));
  }

  /** Skips {@code endpoint} for {@code millis} (it refused a connection: its task is stopping or gone). */
  public void markDown(SocketAddress endpoint, long millis) {
    downUntil.put(endpoint, System.nanoTime() + millis * 1_000_000);
  }
}
