package io.skypanel.controlplane.runtime.workloads;

import io.skypanel.controlplane.caas.containers.ContainerSpec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.util.List;

/**
 * What the edge routers report of a container's endpoints (each replica writes its last health round to
 * {@code <prefix>edge:reach:<container id>}, expiring on its own), folded into the container's view: how many
 * endpoints the edge has and how many are healthy, and a container that runs but that the edge cannot reach is
 * shown as {@code unreachable} with the edge's reason, because {@code running} must mean reachable as configured.
 */
public final class EdgeReachability {

  static final String KEY = "edge:reach:";

  private final RedisAPI redis;
  private final String prefix;

  public EdgeReachability(RedisAPI redis, String redisPrefix) {
    this.redis = redis;
    this.prefix = redisPrefix + KEY;
  }

  /** The container's API view with {@code edge} (null when no edge reported) and a status the edge agrees with. */
  public Future<JsonObject> view(ContainerRow row) {
    JsonObject json = row.toJson();
    return redis.hgetall(prefix + row.id())
        .map(reports -> apply(json, newest(reports), hasPublicPort(row)))
        // the view stays answerable when Redis is not: the edge's report is then simply unknown
        .otherwise(err -> json.put("edge", null));
  }

  /** The newest of the replicas' reports, or null. */
  static JsonObject newest(Response reports) {
    JsonObject newest = null;
    if (reports == null) {
      return null;
    }
    for (String replica : reports.getKeys()) {
      JsonObject report = new JsonObject(reports.get(replica).toString());
      if (newest == null || report.getString("checked_at", "").compareTo(newest.getString("checked_at", "")) > 0) {
        newest = report;
      }
    }
    return newest;
  }

  /** Pure: adds the report and, for a running container with a public port that the edge cannot reach, says so. */
  static JsonObject apply(JsonObject view, JsonObject report, boolean publicPort) {
    view.put("edge", report);
    if (report != null && publicPort && "running".equals(view.getString("status")) && report.getInteger("healthy", 0) == 0) {
      String reason = report.getString("reason");
      view.put("status", "unreachable")
          .put("status_reason", reason != null ? "the edge cannot reach any endpoint: " + reason
              : "the edge has no endpoint of this container");
    }
    return view;
  }

  private static boolean hasPublicPort(ContainerRow row) {
    List<ContainerSpec.Port> ports = row.spec().ports();
    return ports.stream().anyMatch(port -> port.isPublic() && "tcp".equals(port.protocol()));
  }
}
