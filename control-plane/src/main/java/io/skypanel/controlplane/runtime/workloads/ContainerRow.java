package io.skypanel.controlplane.runtime.workloads;

import io.skypanel.controlplane.caas.containers.ContainerSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * One stored workload: a customer's container, or (with {@code process} set) one process type of a PaaS
 * environment's live release. Both are converged alike; the spec, the platform's bookkeeping and the runtime state
 * last observed.
 */
public record ContainerRow(UUID id, UUID organizationId, String name, ContainerSpec spec, String imageDigest,
                           UUID registryCredentialId, List<String> secretNames, int desiredReplicas, int runningReplicas,
                           UUID planId, String region, String status, String statusReason, String swarmServiceId,
                           String defaultDomain, JsonArray endpoints, JsonObject previousSpec, int specVersion,
                           int restartGeneration, JsonObject lastDeploy, String appliedGeneration, OffsetDateTime deployedAt,
                           OffsetDateTime createdAt, OffsetDateTime updatedAt, Process process) {

  /**
   * What makes a workload a PaaS process: its environment, its process type (web, worker, ...) and the release whose
   * image and sealed config it runs.
   */
  public record Process(UUID environmentId, String type, UUID releaseId) {
  }

  /** The columns {@link #from} reads, from {@code paas_containers c}. */
  public static final String COLUMNS = """
      c.id, c.organization_id, c.name, c.image_ref, c.image_digest, c.registry_credential_id, c.entrypoint, c.cmd, c.env_vars,
      c.ports, c.volumes, c.healthcheck, c.cpu::float8 AS cpu, c.memory_mb, c.replicas, c.desired_replicas, c.running_replicas,
      c.restart_policy, c.plan_id, c.region, c.status, c.status_reason, c.swarm_service_id, c.default_domain, c.endpoints,
      c.previous_spec, c.spec_version, c.restart_generation, c.last_deploy, c.applied_generation, c.deployed_at, c.created_at, c.updated_at,
      c.kind, c.environment_id, c.process_type, c.release_id,
      coalesce((SELECT array_agg(s.name ORDER BY s.name) FROM caas_container_secrets s WHERE s.container_id = c.id), '{}') AS secret_names""";

  public static ContainerRow from(Row row) {
    ContainerSpec spec = new ContainerSpec(
        row.getString("image_ref"),
        row.getArrayOfStrings("entrypoint") == null ? null : Arrays.asList(row.getArrayOfStrings("entrypoint")),
        row.getArrayOfStrings("cmd") == null ? null : Arrays.asList(row.getArrayOfStrings("cmd")),
        ContainerSpec.env(row.getJsonObject("env_vars")),
        ContainerSpec.ports(row.getJsonArray("ports")),
        ContainerSpec.mounts(row.getJsonArray("volumes")),
        row.getJsonObject("healthcheck"),
        row.getDouble("cpu"),
        row.getInteger("memory_mb"),
        row.getInteger("replicas"),
        row.getString("restart_policy"));
    return new ContainerRow(row.getUUID("id"), row.getUUID("organization_id"), row.getString("name"), spec,
        row.getString("image_digest"), row.getUUID("registry_credential_id"), Arrays.asList(row.getArrayOfStrings("secret_names")),
        row.getInteger("desired_replicas"), row.getInteger("running_replicas"), row.getUUID("plan_id"), row.getString("region"),
        row.getString("status"), row.getString("status_reason"), row.getString("swarm_service_id"), row.getString("default_domain"),
        row.getJsonArray("endpoints"), row.getJsonObject("previous_spec"), row.getInteger("spec_version"),
        row.getInteger("restart_generation"), row.getJsonObject("last_deploy"), row.getString("applied_generation"),
        row.getOffsetDateTime("deployed_at"),
        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"),
        "process".equals(row.getString("kind"))
            ? new Process(row.getUUID("environment_id"), row.getString("process_type"), row.getUUID("release_id")) : null);
  }

  /** What Swarm must be running for this row: spec, restart and replica count together. */
  public String generation() {
    return specVersion + ":" + restartGeneration + ":" + desiredReplicas;
  }

  /** The API view: secrets by name only, never values. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("image_ref", spec.imageRef())
        .put("image_digest", imageDigest)
        .put("entrypoint", spec.entrypoint() == null ? null : new JsonArray(spec.entrypoint()))
        .put("cmd", spec.cmd() == null ? null : new JsonArray(spec.cmd()))
        .put("env_vars", new JsonObject(new java.util.LinkedHashMap<>(spec.env())))
        .put("secrets", new JsonArray(secretNames))
        .put("ports", spec.toJson().getJsonArray("ports"))
        .put("volumes", spec.toJson().getJsonArray("volumes"))
        .put("healthcheck", spec.healthcheck())
        .put("resources", new JsonObject().put("cpu", spec.cpu()).put("memory_mb", spec.memoryMb()))
        .put("replicas", spec.replicas())
        .put("desired_replicas", desiredReplicas)
        .put("running_replicas", runningReplicas)
        .put("restart_policy", spec.restartPolicy())
        .put("plan_id", planId == null ? null : planId.toString())
        .put("region", region)
        .put("status", status)
        .put("status_reason", statusReason)
        .put("default_domain", defaultDomain)
        .put("endpoints", endpoints)
        .put("last_deploy", lastDeploy)
        .put("deployed_at", deployedAt == null ? null : deployedAt.toString())
        .put("created_at", createdAt.toString())
        .put("updated_at", updatedAt.toString());
    return json;
  }
}
