package io.skypanel.edge.limits;

import io.vertx.core.http.HttpConnection;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open client connections per organization on this edge replica. A connection belongs to the organization of
 * the first request it carries (HTTP/1.1 keep-alive and HTTP/2 connections are per site in practice); it is
 * refused when the organization already holds its plan's maximum, so one tenant cannot exhaust the edge's
 * connections for everyone else.
 */
public final class OrganizationConnections {

  private final Map<HttpConnection, UUID> owners = new ConcurrentHashMap<>();
  private final Map<UUID, AtomicInteger> counts = new ConcurrentHashMap<>();

  /** True when {@code connection} may serve {@code organization}; counts it on its first request. */
  public boolean admit(HttpConnection connection, UUID organization, int max) {
    UUID owner = owners.get(connection);
    if (owner != null) {
      return true;
    }
    AtomicInteger count = counts.computeIfAbsent(organization, id -> new AtomicInteger());
    if (count.incrementAndGet() > max) {
      count.decrementAndGet();
      return false;
    }
    owners.put(connection, organization);
    return true;
  }

  /** The connection closed: its organization gets its slot back. */
  public void closed(HttpConnection connection) {
    UUID owner = owners.remove(connection);
    if (owner != null) {
      AtomicInteger count = counts.get(owner);
      if (count != null) {
        // entries stay: removing one could lose a concurrent increment from another event loop
        count.decrementAndGet();
      }
    }
  }

  public int open(UUID organization) {
    AtomicInteger count = counts.get(organization);
    return count == null ? 0 : count.get();
  }
}
