package io.skypanel.logs.access;

import io.skypanel.common.docker.Labels;
import io.skypanel.logs.stream.LogSelector;
import io.skypanel.logs.stream.StreamChoice;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A resource whose logs a caller may read, as read from PostgreSQL for the caller's organization.
 *
 * @param swarmServiceId the service running it (a container, an add-on's server), or null (not deployed, or an environment)
 */
public record LogTarget(Kind kind, UUID id, UUID organizationId, String name, String status, String swarmServiceId) {

  /** Loki labels the log pipeline attaches (from the Swarm labels {@code skypanel.org}, {@code skypanel.container}, ...). */
  public static final String ORG_LABEL = "skypanel_org";
  public static final String CONTAINER_LABEL = "skypanel_container";
  public static final String ENVIRONMENT_LABEL = "skypanel_environment";
  public static final String PROCESS_LABEL = "skypanel_process";
  /** An add-on's server (from the Swarm label {@code skypanel.addon} its service carries). */
  public static final String ADDON_LABEL = "skypanel_addon";
  public static final String STREAM_LABEL = "stream";

  /** What kind of resource, and the Loki label naming it. */
  public enum Kind {
    CONTAINER(CONTAINER_LABEL, "container"),
    ENVIRONMENT(ENVIRONMENT_LABEL, "environment"),
    ADDON(ADDON_LABEL, "add-on");

    private final String label;
    private final String noun;

    Kind(String label, String noun) {
      this.label = label;
      this.noun = noun;
    }

    public String noun() {
      return noun;
    }
  }

  /** The selector of all this resource's lines. */
  public LogSelector selector(StreamChoice stream, String filter) {
    return selector(stream, filter, null);
  }

  /**
   * The selector of this resource's logs: always pinned to its organization and its own id, so neither the
   * stream choice, the process nor the filter can reach another resource. An environment's lines are those of
   * every task labelled with it (processes, release phase, one-off runs); {@code process} narrows them to one
   * {@code skypanel.process} value.
   *
   * @param process one process type of an environment, or null for all
   */
  public LogSelector selector(StreamChoice stream, String filter, String process) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(ORG_LABEL, organizationId.toString());
    labels.put(kind.label, id.toString());
    if (process != null) {
      labels.put(PROCESS_LABEL, process);
    }
    if (stream != StreamChoice.ALL) {
      labels.put(STREAM_LABEL, stream.label());
    }
    Map<String, String> services = new LinkedHashMap<>();
    if (kind == Kind.ENVIRONMENT) {
      services.put(Labels.ORG, organizationId.toString());
      services.put(Labels.ENVIRONMENT, id.toString());
      if (process != null) {
        services.put(Labels.PROCESS, process);
      }
    }
    return new LogSelector(organizationId, labels, swarmServiceId, services, stream, filter);
  }
}
