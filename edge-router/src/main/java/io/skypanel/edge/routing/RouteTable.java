package io.skypanel.edge.routing;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Hostname to route, read on every request from every event loop and replaced wholesale on change
 * (copy-on-write): a lookup is one hash probe on an immutable map and never waits for an update. Updates are
 * rare (deploys, scaling, domain changes) and serialised by the caller.
 */
public final class RouteTable {

  private volatile Map<String, Route> byHost = Map.of();

  /** The route for a Host header (port and trailing dot ignored, case-insensitive), or null. */
  public Route lookup(String hostHeader) {
    if (hostHeader == null) {
      return null;
    }
    return byHost.get(normalize(hostHeader));
  }

  /** Replaces every route. */
  public synchronized void replaceAll(Collection<Route> routes) {
    Map<String, Route> fresh = new HashMap<>();
    routes.forEach(route -> fresh.put(route.host(), route));
    byHost = Map.copyOf(fresh);
  }

  /** Replaces the routes of one container (none: the container is gone or not routable). */
  public synchronized void replaceContainer(UUID containerId, List<Route> routes) {
    Map<String, Route> fresh = new HashMap<>(byHost);
    fresh.values().removeIf(route -> route.containerId().equals(containerId));
    // a hostname claimed by another container stays with it: the database allows one verified owner only
    routes.forEach(route -> fresh.putIfAbsent(route.host(), route));
    byHost = Map.copyOf(fresh);
  }

  public int size() {
    return byHost.size();
  }

  static String normalize(String hostHeader) {
    String host = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end > 0 ? host.substring(0, end + 1) : host;
    }
    int colon = host.indexOf(':');
    if (colon >= 0) {
      host = host.substring(0, colon);
    }
    return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
  }
}
