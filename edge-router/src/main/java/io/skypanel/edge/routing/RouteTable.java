package io.skypanel.edge.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Hostname to routes, read on every request from every event loop and replaced wholesale on change
 * (copy-on-write): a lookup is one hash probe on an immutable map, then the longest matching path prefix among
 * that host's few routes, and never waits for an update. Updates are rare (deploys, scaling, domain changes) and
 * serialised here.
 */
public final class RouteTable {

  private static final Route[] NONE = new Route[0];
  /** Longest prefix first, so the first match is the most specific. */
  private static final Comparator<Route> MOST_SPECIFIC_FIRST =
      Comparator.comparingInt((Route route) -> route.pathPrefix().length()).reversed();

  private volatile Map<String, Route[]> byHost = Map.of();

  /** The route for a Host header (port and trailing dot ignored, case-insensitive) and path, or null. */
  public Route lookup(String hostHeader, String path) {
    if (hostHeader == null) {
      return null;
    }
    Route[] candidates = byHost.getOrDefault(normalize(hostHeader), NONE);
    for (Route route : candidates) {
      if (route.matches(path)) {
        return route;
      }
    }
    return null;
  }

  /** The route for the root of a hostname. */
  public Route lookup(String hostHeader) {
    return lookup(hostHeader, "/");
  }

  /** Replaces every route. */
  public synchronized void replaceAll(Collection<Route> routes) {
    Map<String, List<Route>> fresh = new HashMap<>();
    routes.forEach(route -> add(fresh, route));
    byHost = freeze(fresh);
  }

  /** Replaces the routes of one container (none: the container is gone or not routable). */
  public synchronized void replaceContainer(UUID containerId, List<Route> routes) {
    Map<String, List<Route>> fresh = thaw();
    fresh.values().forEach(list -> list.removeIf(route -> route.containerId().equals(containerId)));
    // a hostname and prefix claimed by another container stays with it: the database allows one verified owner only
    routes.forEach(route -> add(fresh, route));
    byHost = freeze(fresh);
  }

  /** Hostnames (not routes) in the table. */
  public int size() {
    return byHost.size();
  }

  /** Every route, for the active health checker and resync bookkeeping. */
  public void forEach(Consumer<Route> action) {
    for (Route[] routes : byHost.values()) {
      for (Route route : routes) {
        action.accept(route);
      }
    }
  }

  private static void add(Map<String, List<Route>> table, Route route) {
    List<Route> list = table.computeIfAbsent(route.host(), host -> new ArrayList<>());
    for (Route existing : list) {
      if (existing.pathPrefix().equals(route.pathPrefix())) {
        return;
      }
    }
    list.add(route);
  }

  private Map<String, List<Route>> thaw() {
    Map<String, List<Route>> copy = new HashMap<>();
    byHost.forEach((host, routes) -> copy.put(host, new ArrayList<>(List.of(routes))));
    return copy;
  }

  private static Map<String, Route[]> freeze(Map<String, List<Route>> table) {
    Map<String, Route[]> frozen = new HashMap<>();
    table.forEach((host, routes) -> {
      if (!routes.isEmpty()) {
        Route[] sorted = routes.toArray(NONE);
        java.util.Arrays.sort(sorted, MOST_SPECIFIC_FIRST);
        frozen.put(host, sorted);
      }
    });
    return Map.copyOf(frozen);
  }

  /** Hostnames of every route (for tests and diagnostics). */
  public Set<String> hosts() {
    return new HashSet<>(byHost.keySet());
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
