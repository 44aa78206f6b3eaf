package io.skypanel.common.events;

/** The {@link PlatformEvents} topics services share; payloads say what to re-read, never the new state itself. */
public final class Topics {

  /** {@code {"container_id": ...}}: the container's hostnames or endpoints changed; edge routers reload its routes. */
  public static final String ROUTES_CHANGED = "routes.changed";

  /**
   * {@code {"hostname": ...}}: the hostname's stored TLS certificate was issued, renewed or removed; edge routers
   * reload it.
   */
  public static final String CERTIFICATES_CHANGED = "certificates.changed";

  /** {@code {"organization_id": ...}}: the organization is gone. */
  public static final String ORGANIZATION_DELETED = "organization.deleted";

  /**
   * {@code {"organization_id": ..., "network_id": ...}}: an organization's internal network was created; edge
   * gateways join it at once (their periodic sync covers a lost message).
   */
  public static final String NETWORKS_CHANGED = "networks.changed";

  /** {@code {}}: the plan catalog changed. */
  public static final String PLANS_CHANGED = "catalog.plans.changed";

  private Topics() {
  }
}
