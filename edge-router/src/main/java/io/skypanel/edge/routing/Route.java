package io.skypanel.edge.routing;

import io.vertx.core.net.SocketAddress;

import java.util.List;
import java.util.UUID;
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

  /** The next endpoint in round-robin order, or null when the container has none running. */
  public SocketAddress nextEndpoint() {
    if (endpoints.isEmpty()) {
      return null;
    }
    return endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size()));
  }
}
