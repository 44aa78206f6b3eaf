package io.skypanel.controlplane.caas.registries;

import io.skypanel.controlplane.caas.policies.ImageReference;
import io.skypanel.controlplane.runtime.orchestration.DesiredService;

import java.util.UUID;

/**
 * The platform's own private registry, where source builds are pushed ({@code SKYPANEL_REGISTRY}, its
 * {@code _USERNAME}/{@code _PASSWORD}) and from which the engine pulls them. An organization owns exactly the
 * repositories under {@code <host>/org-<organization id>/}: only for those does the engine get the platform's login,
 * and only those pass the organization's image policy unchecked (the platform built them; a customer's allow-list of
 * registries must not block its own builds). Another organization's repository gets neither.
 *
 * @param host     {@code host:port} as image references name it, or null when there is no registry (no source builds)
 * @param username the registry login
 * @param password the registry password: never logged (see {@link #toString()}), never returned
 * @param keep     how many images of an app are kept besides those live in an environment ({@code SKYPANEL_REGISTRY_KEEP})
 */
public record PlatformRegistry(String host, String username, String password, int keep) {

  /** No registry configured: builds fail saying so, nothing is exempt or logged in. */
  public static final PlatformRegistry NONE = new PlatformRegistry(null, null, null, 10);

  public boolean configured() {
    return host != null;
  }

  /** The repository of an app's builds: {@code <host>/org-<org>/<app slug>}. */
  public String repository(UUID organizationId, String appSlug) {
    return host + "/" + path(organizationId) + appSlug;
  }

  /** Whether {@code image} is one of the organization's own builds in the platform registry. */
  public boolean owns(UUID organizationId, ImageReference image) {
    return configured() && host.equals(image.registry()) && image.repository().startsWith(path(organizationId));
  }

  /** The login the engine pulls (and the build service pushes) with. */
  public DesiredService.RegistryLogin login() {
    return new DesiredService.RegistryLogin(host, username, password);
  }

  private static String path(UUID organizationId) {
    return "org-" + organizationId + "/";
  }

  @Override
  public String toString() {
    return "PlatformRegistry[" + host + ", " + username + ", keep " + keep + "]";
  }
}
