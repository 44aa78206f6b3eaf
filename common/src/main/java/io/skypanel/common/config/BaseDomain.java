package io.skypanel.common.config;

import java.util.Locale;

/**
 * The platform's own names: the base domain (default hostnames are {@code <name>-<org slug>.<base>}, and customers
 * cannot claim names under it as custom domains) and the API hostname, the one public origin of the API.
 */
public final class BaseDomain {

  private BaseDomain() {
  }

  /** {@code SKYPANEL_BASE_DOMAIN}, or an sslip.io-style name on {@code SKYPANEL_PUBLIC_HOST} when it is not set. */
  public static String of(Settings settings) {
    String configured = settings.optional("SKYPANEL_BASE_DOMAIN");
    // without a base domain, an sslip.io-style name resolves to the node address itself
    String domain = configured != null ? configured : settings.string("SKYPANEL_PUBLIC_HOST", "127.0.0.1").replace('.', '-') + ".sslip.io";
    return domain.toLowerCase(Locale.ROOT);
  }

  /** {@code SKYPANEL_API_HOSTNAME}, or {@code api.<base domain>} when it is not set; lower case, no port. */
  public static String apiHostname(Settings settings) {
    String configured = settings.optional("SKYPANEL_API_HOSTNAME");
    return (configured != null ? configured : "api." + of(settings)).toLowerCase(Locale.ROOT);
  }
}
