package io.skypanel.edge.routing;

import io.skypanel.edge.health.EndpointHealth;
import io.vertx.core.net.SocketAddress;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where one hostname (and path prefix) goes: the owning organization's container, the live endpoints of its
 * public HTTP port and the {@link RoutePolicy} for its traffic; or, for the platform's own API hostname, one of
 * the platform's services ({@link #platform}: no organization, no container, so no organization limits and no
 * usage metering). Immutable apart from the round-robin position;
 * a changed container gets a new Route. Endpoint health lives in {@link EndpointHealth}, outside the route, so
 * it survives route reloads.
 */
public final class Route {

  private final String host;
  private final String pathPrefix;
  private final UUID organizationId;
  private final UUID containerId;
  private final List<SocketAddress> endpoints;
  private final RoutePolicy policy;
  private final String service;
  private final boolean viaGateway;
  private final AtomicInteger next = new AtomicInteger();

  public Route(String host, String pathPrefix, UUID organizationId, UUID containerId, List<SocketAddress> endpoints,
               RoutePolicy policy) {
    this(host, pathPrefix, organizationId, containerId, endpoints, policy, false);
  }

  /**
   * @param viaGateway true when the endpoints are addresses on the organization's internal overlay network,
   *                   reached through the edge gateway; false for addresses the edge dials directly
   */
  public Route(String host, String pathPrefix, UUID organizationId, UUID containerId, List<SocketAddress> endpoints,
               RoutePolicy policy, boolean viaGateway) {
    this(host, pathPrefix, organizationId, containerId, endpoints, policy, containerId.toString(), viaGateway);
  }

  private Route(String host, String pathPrefix, UUID organizationId, UUID containerId, List<SocketAddress> endpoints,
                RoutePolicy policy, String service, boolean viaGateway) {
    this.viaGateway = viaGateway;
    this.host = host;
    this.pathPrefix = pathPrefix == null || pathPrefix.isEmpty() ? "/" : pathPrefix;
    this.organizationId = organizationId;
    this.containerId = containerId;
    this.endpoints = List.copyOf(endpoints);
    this.policy = policy;
    this.service = service;
  }

  /** A route to one of the platform's own services; {@code service} is its metrics label (e.g. {@code api:log-tail}). */
  public static Route platform(String host, String pathPrefix, String service, List<SocketAddress> endpoints, RoutePolicy policy) {
    return new Route(host, pathPrefix, null, null, endpoints, policy, service, false);
  }

  /** A route for the whole hostname with the default policy and no limits (tests, benchmarks). */
  public Route(String host, UUID organizationId, UUID containerId, List<SocketAddress> endpoints) {
    this(host, "/", organizationId, containerId, endpoints, RoutePolicy.defaults(null, Integer.MAX_VALUE));
  }

  public String host() {
    return host;
  }

  public String pathPrefix() {
    return pathPrefix;
  }

  /** False for a {@link #platform} route, which belongs to no organization. */
  public boolean tenant() {
    return organizationId != null;
  }

  /** The owning organization; null for a {@link #platform} route. */
  public UUID organizationId() {
    return organizationId;
  }

  /** The container behind the route; null for a {@link #platform} route. */
  public UUID containerId() {
    return containerId;
  }

  /** The metrics label of the route's target. */
  public String service() {
    return service;
  }

  public List<SocketAddress> endpoints() {
    return endpoints;
  }

  /** True when the endpoints are overlay addresses dialled through the edge gateway. */
  public boolean viaGateway() {
    return viaGateway;
  }

  public RoutePolicy policy() {
    return policy;
  }

  /** True when {@code path} is under this route's prefix ("/api" matches "/api" and "/api/x", not "/apix"). */
  public boolean matches(String path) {
    if (pathPrefix.equals("/")) {
      return true;
    }
    if (path == null || !path.startsWith(pathPrefix)) {
      return false;
    }
    if (path.length() == pathPrefix.length() || pathPrefix.endsWith("/")) {
      return true;
    }
    char after = path.charAt(pathPrefix.length());
    return after == '/' || after == '?';
  }

  /**
   * The next endpoint in round-robin order that {@code health} considers up, or, when every one is down, the
   * next one anyway (asking beats failing without asking); null when the container has none.
   */
  public SocketAddress nextEndpoint(EndpointHealth health) {
    return nextEndpoint(health, java.util.Set.of());
  }

  /**
   * As {@link #nextEndpoint(EndpointHealth)} for a request that already went to {@code tried}: an endpoint it has
   * not tried yet, up ones first; only when it tried them all, the next one again.
   */
  public SocketAddress nextEndpoint(EndpointHealth health, java.util.Set<SocketAddress> tried) {
    if (endpoints.isEmpty()) {
      return null;
    }
    int size = endpoints.size();
    int start = next.getAndIncrement();
    SocketAddress untriedDown = null;
    for (int i = 0; i < size; i++) {
      SocketAddress candidate = endpoints.get(Math.floorMod(start + i, size));
      if (tried.contains(candidate)) {
        continue;
      }
      if (health.isUp(candidate)) {
        return candidate;
      }
      if (untriedDown == null) {
        untriedDown = candidate;
      }
    }
    return untriedDown != null ? untriedDown : endpoints.get(Math.floorMod(start, size));
  }
}
