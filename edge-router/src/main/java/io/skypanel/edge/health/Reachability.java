package io.skypanel.edge.health;

import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RouteTable;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What one edge replica found of one container's endpoints in its last health round: how many it has, how many
 * it would send traffic to, and, when some fail, why (the first failure). The control plane shows it on the
 * container, so "running" is only said of a container the edge can reach.
 */
public record Reachability(int endpoints, int healthy, String reason, Instant checkedAt) {

  /** Per container, from the route table, the endpoints' health and the failures of the round. */
  static Map<UUID, Reachability> of(RouteTable routes, EndpointHealth health, Map<SocketAddress, String> failures) {
    Map<UUID, Route> byContainer = new HashMap<>();
    routes.forEach(route -> byContainer.putIfAbsent(route.containerId(), route));
    Instant now = Instant.now();
    Map<UUID, Reachability> result = new HashMap<>();
    byContainer.forEach((containerId, route) -> {
      int healthy = 0;
      String reason = null;
      for (SocketAddress endpoint : route.endpoints()) {
        if (health.isUp(endpoint)) {
          healthy++;
        }
        if (reason == null && failures.containsKey(endpoint)) {
          reason = failures.get(endpoint);
        }
      }
      result.put(containerId, new Reachability(route.endpoints().size(), healthy, reason, now));
    });
    return result;
  }

  public JsonObject toJson() {
    return new JsonObject().put("endpoints", endpoints).put("healthy", healthy).put("reason", reason).put("checked_at", checkedAt.toString());
  }
}
