package io.skypanel.logs;

import io.skypanel.common.config.Settings;

import java.net.URI;

/**
 * The log service's settings, read once at start.
 *
 * @param lokiUrl          Loki's base URL, or null to serve Docker's own logs
 * @param lokiTenant       sent as {@code X-Scope-OrgID}, or null (single-tenant Loki)
 * @param lokiMaxTails     concurrent tails this process may hold (Loki's {@code max_concurrent_tail_requests})
 * @param lokiDelayFor     {@code delay_for} of each tail, seconds (0..5)
 * @param lokiTailLimit    {@code limit} of each tail (entries of its initial look-back)
 * @param lokiMaxLookbackS oldest time a query reaches back to, seconds before now (Loki's {@code max_query_length})
 * @param defaultLimit     backfill lines when a request names no {@code limit}
 * @param maxLimit         largest {@code limit} accepted (also the backfill of a {@code Last-Event-ID} resume)
 * @param viewerBuffer     live lines a slow viewer may have waiting before it drops lines
 * @param recentLines      lines a shared upstream keeps for viewers joining later
 * @param keepAliveMs      keep-alive period of idle streams
 * @param reconnectBaseMs  first reconnect delay after an upstream closed; doubles up to {@code reconnectMaxMs}
 * @param mergeWindowMs    Docker backend: how long an environment's merged follow holds each line so that lines of
 *                         its other services with earlier timestamps can still go before it
 * @param discoveryMs      Docker backend: how often an environment's merged follow looks for services started or removed
 * @param buildViewers     live build-log viewers served at once: each holds a Redis connection for its blocking reads
 *                         ({@code SKYPANEL_LOGS_BUILD_VIEWERS}); one more answers 503
 */
public record LogsOptions(URI lokiUrl, String lokiTenant, int lokiMaxTails, int lokiDelayFor, int lokiTailLimit, long lokiMaxLookbackS,
                          int defaultLimit, int maxLimit, int viewerBuffer, int recentLines, long keepAliveMs,
                          long reconnectBaseMs, long reconnectMaxMs, long mergeWindowMs, long discoveryMs, int buildViewers) {

  public static LogsOptions from(Settings settings) {
    String url = settings.optional("SKYPANEL_LOKI_URL");
    URI loki = null;
    if (url != null) {
      loki = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
      if (loki.getHost() == null || !("http".equals(loki.getScheme()) || "https".equals(loki.getScheme()))) {
        throw new IllegalArgumentException("SKYPANEL_LOKI_URL must be an http(s) URL, got '" + url + "'");
      }
    }
    int delayFor = settings.integer("SKYPANEL_LOKI_DELAY_FOR", 0);
    if (delayFor < 0 || delayFor > 5) {
      throw new IllegalArgumentException("SKYPANEL_LOKI_DELAY_FOR must be between 0 and 5 (Loki's bound)");
    }
    int maxLimit = positive(settings, "SKYPANEL_LOGS_MAX_LIMIT", 5000);
    return new LogsOptions(loki, settings.optional("SKYPANEL_LOKI_TENANT"),
        positive(settings, "SKYPANEL_LOKI_MAX_TAILS", 10), delayFor,
        positive(settings, "SKYPANEL_LOKI_TAIL_LIMIT", 1000),
        positive(settings, "SKYPANEL_LOKI_MAX_LOOKBACK_HOURS", 720) * 3600L,
        Math.min(maxLimit, settings.integer("SKYPANEL_LOGS_DEFAULT_LIMIT", 100)), maxLimit,
        positive(settings, "SKYPANEL_LOGS_VIEWER_BUFFER", 1000),
        positive(settings, "SKYPANEL_LOGS_RECENT_LINES", 1000),
        positive(settings, "SKYPANEL_LOGS_KEEPALIVE_SECONDS", 15) * 1000L,
        200, positive(settings, "SKYPANEL_LOGS_RECONNECT_MAX_MS", 30000),
        positive(settings, "SKYPANEL_LOGS_MERGE_WINDOW_MS", 500),
        positive(settings, "SKYPANEL_LOGS_DISCOVERY_MS", 1000),
        positive(settings, "SKYPANEL_LOGS_BUILD_VIEWERS", 200));
  }

  private static int positive(Settings settings, String key, int fallback) {
    int value = settings.integer(key, fallback);
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be positive");
    }
    return value;
  }
}
