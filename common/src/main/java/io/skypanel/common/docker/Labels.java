package io.skypanel.common.docker;

/** Names and values of the labels the platform puts on engine objects; defined once for every service. */
public final class Labels {

  /** The owning organization's id, on every tenant object. */
  public static final String ORG = "skypanel.org";
  /** The platform container's id, on its service, secrets and task containers. */
  public static final String CONTAINER = "skypanel.container";
  /** What an organization network is for: {@link #NETWORK_INTERNAL} or {@link #NETWORK_EGRESS}. */
  public static final String NETWORK = "skypanel.network";
  /** The organization's internal, attachable network: its tasks and the edge gateways, no route out. */
  public static final String NETWORK_INTERNAL = "internal";
  /** The organization's egress network, joined while it allows egress. */
  public static final String NETWORK_EGRESS = "egress";
  /** The role of a platform-owned container, e.g. {@link #ROLE_EDGE_GATEWAY}. */
  public static final String ROLE = "skypanel.role";
  public static final String ROLE_EDGE_GATEWAY = "edge-gateway";

  private Labels() {
  }
}
