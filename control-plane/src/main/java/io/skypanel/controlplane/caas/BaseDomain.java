package io.skypanel.controlplane.caas;

import io.skypanel.common.config.Settings;

import java.util.Locale;

/**
 * The platform's own base domain: default hostnames are {@code <name>-<org slug>.<base>}, and customers cannot
 * claim names under it as custom domains.
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
}
