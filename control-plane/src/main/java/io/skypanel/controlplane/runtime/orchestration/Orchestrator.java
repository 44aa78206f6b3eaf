package io.skypanel.controlplane.runtime.orchestration;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.UUID;

/**
 * The runtime as the control plane sees it: Swarm services, their networks, secrets and volumes. Every
 * method runs its docker-java calls on the Docker worker pool and completes on the caller's context.
 */
public interface Orchestrator {

  /**
   * The organization's networks, created on demand: always its internal, attachable overlay network
   * {@code org-<id>} (no route out; edge gateways join it to reach the tasks), and while the organization allows
   * egress also {@code org-<id>-egress}, an ordinary overlay network whose tasks reach out through the node.
   */
  Future<OrganizationNetworks> ensureOrganizationNetworks(UUID organizationId, boolean egressAllowed);

  /**
   * Removes a deleted organization's networks (after disconnecting the edge gateways that joined them); networks
   * already gone are not an error.
   */
  Future<Void> removeOrganizationNetworks(UUID organizationId);

  /**
   * A resource's own internal overlay network (no route out, not attachable by plain containers), created with
   * {@code labels} unless it exists; its id. Only the services given it join it (an add-on and its consumers).
   */
  Future<String> ensureInternalNetwork(String name, Map<String, String> labels);

  /** Removes that network; a network already gone is not an error. */
  Future<Void> removeNetwork(String name);

  /**
   * Removes the Swarm secrets labelled {@code label=value} except {@code keepIds}; one still in use by a task is left
   * for a later call.
   */
  Future<Void> removeSecretsLabelled(String label, String value, java.util.Collection<String> keepIds);

  /** Whether at least one Swarm node carries the node label {@code label=value}. */
  Future<Boolean> anyNodeLabelled(String label, String value);

  /**
   * The Swarm node id of the engine this control plane talks to: a task whose container the platform reads or writes
   * through the engine API (copying files in or out) must run there, since the API reaches only that node's containers.
   */
  Future<String> localNodeId();

  /** Creates a Swarm secret; returns its id. Secret values are never logged. */
  Future<String> createSecret(String name, byte[] value, Map<String, String> labels);

  Future<Void> removeSecret(String secretId);

  /** Creates a named local volume with the given labels (idempotent). */
  Future<Void> createVolume(String name, Map<String, String> labels);

  Future<Void> removeVolume(String name);

  /** Creates the service; returns its id. An existing service of the same name is returned, not duplicated. */
  Future<String> createService(DesiredService desired);

  /**
   * Replaces the service's spec with {@code desired} as a rolling update (start-first; a failed health check
   * rolls back automatically). The spec is built fresh; only the version is taken from the engine.
   */
  Future<Void> updateService(String serviceId, DesiredService desired);

  /** Removes the service; a service that is already gone is not an error. */
  Future<Void> removeService(String serviceId);

  /** The service's state, or null when Swarm has no such service. */
  Future<ServiceState> inspect(String serviceId);

  /**
   * Runs {@code command} (no shell unless it names one) in a running task container of the service on this engine
   * and waits up to {@code timeout} for it to end; null when the service has no running task here. Fails when it
   * does not end in time.
   */
  Future<ExecResult> exec(String serviceId, java.util.List<String> command, java.time.Duration timeout);

  /** How a command run by {@link #exec} ended: its exit code and its output (truncated at 64 KiB per stream). */
  record ExecResult(int exitCode, String stdout, String stderr) {
  }

  /** The service id of the service carrying {@code skypanel.container=<containerId>}, or null. */
  Future<String> findServiceByContainer(UUID containerId);

  /** Every service carrying the label {@code label}: service id to all its labels (one-off tasks, their janitor). */
  Future<Map<String, Map<String, String>>> servicesLabelled(String label);

  /**
   * How many task containers of the platform container still exist on this engine (running or stopped); a
   * removed service's containers linger for their stop grace period and keep their volumes busy until then.
   */
  Future<Integer> remainingTaskContainers(UUID containerId);

  /**
   * Streams the engine's container and service events and calls {@code changed} (on an engine thread; hop to
   * your context) with the platform container each one concerns: a task started, died, got killed or turned
   * unhealthy, or its service changed. The watch ends when the engine closes the stream; re-subscribe then.
   */
  EventWatch watchContainers(io.vertx.core.Handler<UUID> changed);

  /** A running event subscription. */
  interface EventWatch extends AutoCloseable {

    /** Completes (or fails) when the stream ends. */
    Future<Void> ended();

    @Override
    void close();
  }

  /** CPU, memory and network figures of the service's running tasks on this engine (docker stats, one sample). */
  Future<JsonObject> stats(String serviceId);
}
