package io.skypanel.edge.routing;

import io.vertx.core.json.JsonObject;

/**
 * How the edge treats one route's traffic: maintenance mode, the route's own rate limit (null: none beyond the
 * organization's), the owning organization's limits from its plan, the largest request body, the upstream
 * timeout, the active health check path and whether plain HTTP is redirected once a certificate exists.
 *
 * @param maxBodyBytes 0: the edge's default
 * @param timeoutMs 0: the edge's default
 * @param healthCheckPath null: the active check only opens a TCP connection
 */
public record RoutePolicy(
    boolean maintenance,
    RateLimit routeRate,
    RateLimit organizationRate,
    int organizationMaxConnections,
    long maxBodyBytes,
    long timeoutMs,
    String healthCheckPath,
    boolean forceHttps) {

  /** A token bucket: {@code perSecond} tokens added each second, at most {@code burst} saved up. */
  public record RateLimit(int perSecond, int burst) {
    public RateLimit {
      if (perSecond <= 0 || burst <= 0) {
        throw new IllegalArgumentException("a rate limit needs positive rate and burst");
      }
    }
  }

  /** The policy of a route with no settings of its own, for an organization with the given limits. */
  public static RoutePolicy defaults(RateLimit organizationRate, int organizationMaxConnections) {
    return new RoutePolicy(false, null, organizationRate, organizationMaxConnections, 0, 0, null, true);
  }

  /**
   * Reads a container's {@code edge_settings} (see migration V7); unknown or out-of-range values fall back to the
   * defaults rather than failing the whole route load.
   */
  public static RoutePolicy fromSettings(boolean maintenance, JsonObject settings, RateLimit organizationRate,
                                         int organizationMaxConnections) {
    JsonObject edge = settings == null ? new JsonObject() : settings;
    RateLimit routeRate = null;
    int rps = positive(edge, "rate_limit_rps");
    if (rps > 0) {
      int burst = positive(edge, "rate_limit_burst");
      routeRate = new RateLimit(rps, burst > 0 ? burst : rps);
    }
    String path = edge.getValue("health_check_path") instanceof String p && p.startsWith("/") ? p : null;
    boolean forceHttps = !(edge.getValue("force_https") instanceof Boolean b) || b;
    return new RoutePolicy(maintenance, routeRate, organizationRate, organizationMaxConnections,
        positive(edge, "max_body_bytes"), positive(edge, "timeout_ms"), path, forceHttps);
  }

  private static int positive(JsonObject settings, String key) {
    return settings.getValue(key) instanceof Number n && n.longValue() > 0 && n.longValue() <= Integer.MAX_VALUE ? n.intValue() : 0;
  }
}
