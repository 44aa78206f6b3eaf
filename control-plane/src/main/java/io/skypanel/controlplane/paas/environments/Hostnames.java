package io.skypanel.controlplane.paas.environments;

import io.skypanel.common.errors.ApiException;

/**
 * Default hostnames of environments: {@code <app>[-<env>]-<org slug>.<base domain>}, production without the
 * environment. They share one namespace with containers' {@code <name>-<org slug>.<base domain>} (one unique index on
 * the workloads' default_domain); the services check both tables before taking a name.
 */
public final class Hostnames {

  public static final String PRODUCTION = "production";

  private Hostnames() {
  }

  public static String of(String app, String environment, String orgSlug, String baseDomain) {
    String label = PRODUCTION.equals(environment) ? app + "-" + orgSlug : app + "-" + environment + "-" + orgSlug;
    if (label.length() > 63) {
      throw ApiException.unprocessable("hostname_too_long", "the default hostname label '" + label + "' is longer than 63 characters; "
          + "choose shorter app or environment names");
    }
    return label + "." + baseDomain;
  }
}
