package io.skypanel.edge.acme;

import io.skypanel.common.config.Settings;

import java.time.Duration;

/**
 * ACME settings, read once at start. An empty {@code SKYPANEL_ACME_DIRECTORY} disables issuance (the edge then
 * presents only certificates already stored, and its default one).
 *
 * @param directory      ACME directory URL, or null when ACME is off
 * @param email          account contact, may be null
 * @param trustPemFile   extra CA roots trusted for the ACME server's HTTPS, may be null
 * @param challenge      {@code http-01} or {@code tls-alpn-01}
 * @param tlsAlpnPort    port of the TLS-ALPN-01 responder, 0 = none
 */
public record AcmeOptions(
    String directory,
    String email,
    String trustPemFile,
    String challenge,
    int tlsAlpnPort,
    long pollMs,
    int ordersPerHour,
    RenewalPolicy policy,
    Duration lockTtl,
    Duration challengeTtl,
    Duration orderTimeout,
    String bindHost) {

  public static final String HTTP_01 = "http-01";
  public static final String TLS_ALPN_01 = "tls-alpn-01";

  public static AcmeOptions from(Settings settings) {
    String challenge = settings.string("SKYPANEL_ACME_CHALLENGE", HTTP_01);
    if (!challenge.equals(HTTP_01) && !challenge.equals(TLS_ALPN_01)) {
      throw new IllegalArgumentException("SKYPANEL_ACME_CHALLENGE must be http-01 or tls-alpn-01, got '" + challenge + "'");
    }
    int ordersPerHour = settings.integer("SKYPANEL_ACME_ORDERS_PER_HOUR", 50);
    long pollMs = settings.longValue("SKYPANEL_ACME_POLL_MS", 30000);
    if (ordersPerHour < 1 || pollMs < 1) {
      throw new IllegalArgumentException("SKYPANEL_ACME_ORDERS_PER_HOUR and SKYPANEL_ACME_POLL_MS must be positive");
    }
    RenewalPolicy policy = new RenewalPolicy(
        Duration.ofMillis(settings.longValue("SKYPANEL_ACME_BACKOFF_BASE_MS", 60_000)),
        Duration.ofMillis(settings.longValue("SKYPANEL_ACME_BACKOFF_MAX_MS", 86_400_000)));
    return new AcmeOptions(
        settings.optional("SKYPANEL_ACME_DIRECTORY"),
        settings.optional("SKYPANEL_ACME_EMAIL"),
        settings.optional("SKYPANEL_ACME_TRUST_PEM_FILE"),
        challenge,
        settings.integer("SKYPANEL_ACME_TLS_ALPN_PORT", 0),
        pollMs,
        ordersPerHour,
        policy,
        Duration.ofMillis(settings.longValue("SKYPANEL_ACME_LOCK_TTL_MS", 600_000)),
        Duration.ofMillis(settings.longValue("SKYPANEL_ACME_CHALLENGE_TTL_MS", 600_000)),
        Duration.ofMillis(settings.longValue("SKYPANEL_ACME_ORDER_TIMEOUT_MS", 120_000)),
        settings.string("SKYPANEL_BIND_HOST", "0.0.0.0"));
  }

  public boolean enabled() {
    return directory != null;
  }
}
