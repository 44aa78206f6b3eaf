package io.skypanel.common.docker;

/** Names and values of the labels the platform puts on engine objects; defined once for every service. */
public final class Labels {

  /** The owning organization's id, on every tenant object. */
  public static final String ORG = "skypanel.org";
  /** The platform container's id, on its service, secrets and task containers. */
  public static final String CONTAINER = "skypanel.container";
  /**
   * The PaaS environment's id, on every task that belongs to it: its processes, its release phase and its one-off
   * runs. The log service gathers an environment's logs by this label (pinned together with {@link #ORG}).
   */
  public static final String ENVIRONMENT = "skypanel.environment";
  /**
   * Which part of an environment a task is, beside {@link #ENVIRONMENT}: the process type ({@code web},
   * {@code worker}, ...), {@code release} for the release phase, {@code run} for one-off runs. The log service
   * reports it as each line's {@code process}.
   */
  public static final String PROCESS = "skypanel.process";
  /** The release a release-phase task runs, on its one-off service {@code r-<release id>}. */
  public static final String RELEASE = "skypanel.release";
  /** What an organization network is for: {@link #NETWORK_INTERNAL} or {@link #NETWORK_EGRESS}. */
  public static final String NETWORK = "skypanel.network";
  /** The organization's internal, attachable network: its tasks and the edge gateways, no route out. */
  public static final String NETWORK_INTERNAL = "internal";
  /** The organization's egress network, joined while it allows egress. */
  public static final String NETWORK_EGRESS = "egress";
  /** The generation of restarts asked for, so that a restart is a spec change Swarm rolls out. */
  public static final String RESTART = "skypanel.restart";
  /**
   * {@code stop-first} on a service whose tasks must never overlap (a data service on its one volume): updates and
   * rollbacks stop the old task before starting the new one. Absent: start-first.
   */
  public static final String UPDATE_ORDER = "skypanel.update-order";
  public static final String STOP_FIRST = "stop-first";
  /**
   * {@code dnsrr} on a service that clients reach by its name at its task's own address (DNS round robin) instead of a
   * virtual IP: a single-task data service, whose clients reconnect anyway when it restarts.
   */
  public static final String ENDPOINT_MODE = "skypanel.endpoint-mode";
  public static final String DNSRR = "dnsrr";
  /** The PaaS add-on a service, network, volume or secret belongs to. */
  public static final String ADDON = "skypanel.addon";
  /** The platform volume a Docker volume holds, and the snapshot a helper task writes. */
  public static final String VOLUME = "skypanel.volume";
  public static final String SNAPSHOT = "skypanel.snapshot";
  /** A volume helper task (copy, snapshot, restore) and what it does; its network is labelled {@link #PLATFORM}. */
  public static final String HELPER = "skypanel.helper";
  /** A platform-owned object that belongs to no tenant, e.g. the helpers' network. */
  public static final String PLATFORM = "skypanel.platform";
  /** An edge gateway container: the gateway's name. */
  public static final String GATEWAY = "skypanel.gateway";
  /** The role of a platform-owned container, e.g. {@link #ROLE_EDGE_GATEWAY}. */
  public static final String ROLE = "skypanel.role";
  public static final String ROLE_EDGE_GATEWAY = "edge-gateway";

  private Labels() {
  }
}
