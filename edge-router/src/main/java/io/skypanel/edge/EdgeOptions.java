package io.skypanel.edge;

import io.skypanel.common.config.Settings;
import io.skypanel.edge.routing.RoutePolicy;

/**
 * The edge router's settings, read once at start. Keys and defaults are listed in docs/configuration.md.
 *
 * @param eventLoops listener instances, one per event loop (default: one per core)
 * @param redirectHttpsPort the HTTPS port named in HTTP→HTTPS redirects (443 is left out of the URL)
 * @param healthIntervalMs active health check period; 0 turns active checks off
 * @param rateLimits false turns the per-organization and per-route rate limits off
 * @param usageFlushMs how often metered bytes and requests are added to {@code paas_usage}
 * @param gateway {@code auto}: run this edge's gateway container on the local engine and dial overlay endpoints
 *                through it; {@code off}: no gateway (overlay routes answer 502)
 * @param gatewayName the gateway container's name (one per edge instance on an engine)
 * @param gatewayBaseImage the Java runtime image the gateway image is built on ({@code scripts/build-images.sh})
 */
public record EdgeOptions(
    String bindHost,
    int httpPort,
    int httpsPort,
    int eventLoops,
    long resyncMs,
    int connectTimeoutMs,
    long upstreamTimeoutMs,
    int clientIdleTimeoutSeconds,
    long maxBodyBytes,
    long healthIntervalMs,
    int healthTimeoutMs,
    int healthFailuresToDown,
    boolean rateLimits,
    RoutePolicy.RateLimit freeRate,
    int freeMaxConnections,
    long usageFlushMs,
    long hstsMaxAgeSeconds,
    int redirectHttpsPort,
    String gateway,
    String gatewayName,
    String gatewayBaseImage) {

  /** True when this edge runs and dials through its own gateway container. */
  public boolean gatewayEnabled() {
    return "auto".equals(gateway);
  }

  public static EdgeOptions from(Settings settings) {
    return new EdgeOptions(
        settings.string("SKYPANEL_BIND_HOST", "0.0.0.0"),
        settings.integer("SKYPANEL_HTTP_PORT", 8000),
        settings.integer("SKYPANEL_HTTPS_PORT", 8443),
        Math.max(1, settings.integer("SKYPANEL_EDGE_EVENT_LOOPS", Runtime.getRuntime().availableProcessors())),
        settings.longValue("SKYPANEL_EDGE_RESYNC_MS", 30_000),
        settings.integer("SKYPANEL_EDGE_CONNECT_TIMEOUT_MS", 2_000),
        settings.longValue("SKYPANEL_EDGE_UPSTREAM_TIMEOUT_MS", 60_000),
        settings.integer("SKYPANEL_EDGE_CLIENT_IDLE_TIMEOUT_S", 75),
        settings.longValue("SKYPANEL_EDGE_MAX_BODY_BYTES", 100L * 1024 * 1024),
        settings.longValue("SKYPANEL_EDGE_HEALTH_INTERVAL_MS", 5_000),
        settings.integer("SKYPANEL_EDGE_HEALTH_TIMEOUT_MS", 2_000),
        settings.integer("SKYPANEL_EDGE_HEALTH_FAILURES", 2),
        settings.bool("SKYPANEL_EDGE_RATE_LIMITS", true),
        new RoutePolicy.RateLimit(settings.integer("SKYPANEL_EDGE_FREE_RPS", 50), settings.integer("SKYPANEL_EDGE_FREE_BURST", 100)),
        settings.integer("SKYPANEL_EDGE_FREE_MAX_CONNECTIONS", 200),
        settings.longValue("SKYPANEL_EDGE_USAGE_FLUSH_MS", 60_000),
        settings.longValue("SKYPANEL_EDGE_HSTS_MAX_AGE_S", 31_536_000),
        settings.integer("SKYPANEL_EDGE_REDIRECT_HTTPS_PORT", 443),
        settings.string("SKYPANEL_EDGE_GATEWAY", "auto"),
        settings.string("SKYPANEL_EDGE_GATEWAY_NAME", "skypanel-edge-gateway"),
        settings.string("SKYPANEL_EDGE_GATEWAY_BASE_IMAGE", "skypanel/jre:17"));
  }
}
