package io.skypanel.exec.access;

import java.util.UUID;

/**
 * What an exec session runs in, as the exec proxy needs it: a container (a {@code paas_containers} row) or an
 * interactive run (a {@code paas_runs} row). {@code serviceId} is null before the first deploy; {@code label} is the
 * label that names this workload on its Swarm tasks, so a stale service id never leads into another workload.
 */
public record ContainerRef(UUID id, String name, String status, String serviceId, String label) {

  /** The label on every task container of a platform container (the control plane's {@code ServiceSpecFactory}). */
  public static final String CONTAINER_LABEL = "skypanel.container";
  /** The label on the task of a one-off run (the control plane's {@code OneOffTasks}). */
  public static final String RUN_LABEL = "skypanel.run";

  public static ContainerRef container(UUID id, String name, String status, String serviceId) {
    return new ContainerRef(id, name, status, serviceId, CONTAINER_LABEL);
  }

  /** Whether this is an interactive run rather than a container. */
  public boolean run() {
    return RUN_LABEL.equals(label);
  }
}
