package io.skypanel.controlplane.runtime.workloads;

import io.skypanel.controlplane.caas.containers.ContainerSpec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL for CaaS containers, their sealed secrets and their event timeline. Every tenant query is scoped by organization. */
public final class ContainerRepository {

  private static final String FROM = " FROM paas_containers c ";
  private static final String INSERT = """
      INSERT INTO paas_containers (organization_id, name, image_ref, registry_credential_id, entrypoint, cmd, env_vars, ports, volumes,
                                   healthcheck, cpu, memory_mb, replicas, desired_replicas, restart_policy, plan_id, region,
                                   default_domain, created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15, $16, $17, $18)
      ON CONFLICT DO NOTHING RETURNING id""";
  /** Customers' containers only: a process workload of a PaaS environment is not a container (404 here). */
  private static final String BY_ID = "SELECT " + ContainerRow.COLUMNS + FROM + "WHERE c.id = $1 AND c.organization_id = $2 AND c.kind = 'container'";
  private static final String BY_ID_ANY_ORG = "SELECT " + ContainerRow.COLUMNS + FROM + "WHERE c.id = $1";
  private static final String PAGE = "SELECT " + ContainerRow.COLUMNS + FROM + """
      WHERE c.organization_id = $1 AND c.kind = 'container' AND c.status <> 'deleting'
        AND ($2::text IS NULL OR c.status = $2) AND ($3::text IS NULL OR c.region = $3)
        AND ($4::text IS NULL OR c.name LIKE '%' || $4 || '%' OR c.image_ref LIKE '%' || $4 || '%')
        AND ($5::timestamptz IS NULL OR (c.created_at, c.id) < ($5, $6))
      ORDER BY c.created_at DESC, c.id DESC LIMIT $7""";
  private static final String ALL_IDS = "SELECT id FROM paas_containers ORDER BY id";
  private static final String NAME_TAKEN = "SELECT EXISTS (SELECT 1 FROM paas_containers WHERE organization_id = $1 AND name = $2 AND kind = 'container') AS taken";
  /** Containers and PaaS environments share one hostname namespace under the base domain. */
  private static final String ENVIRONMENT_HOSTNAME = "SELECT EXISTS (SELECT 1 FROM paas_environments WHERE default_domain = $1) AS taken";
  private static final String UPDATE_SPEC = """
      UPDATE paas_containers SET image_ref = $3, entrypoint = $4, cmd = $5, env_vars = $6, ports = $7, volumes = $8,
             healthcheck = $9, cpu = $10, memory_mb = $11, replicas = $12, desired_replicas = $13, restart_policy = $14,
             previous_spec = $15, spec_version = spec_version + 1, status = $16, status_reason = NULL
       WHERE id = $1 AND organization_id = $2""";
  private static final String SET_DESIRED = """
      UPDATE paas_containers SET replicas = $3, desired_replicas = $4, status = $5, status_reason = NULL WHERE id = $1 AND organization_id = $2""";
  private static final String BUMP_RESTART = """
      UPDATE paas_containers SET restart_generation = restart_generation + 1, status = 'deploying', status_reason = NULL
       WHERE id = $1 AND organization_id = $2""";
  private static final String MARK_DELETING = "UPDATE paas_containers SET status = 'deleting' WHERE id = $1 AND organization_id = $2";
  private static final String DELETE = "DELETE FROM paas_containers WHERE id = $1";
  private static final String SET_SERVICE = "UPDATE paas_containers SET swarm_service_id = $2 WHERE id = $1";
  private static final String REAPPLY_ORGANIZATION = """
      UPDATE paas_containers SET applied_generation = NULL WHERE organization_id = $1 AND status <> 'deleting' RETURNING id""";
  private static final String APPLIED = "UPDATE paas_containers SET applied_generation = $2, deployed_at = now() WHERE id = $1";
  private static final String OBSERVED = """
      UPDATE paas_containers SET status = $2, status_reason = $3, running_replicas = $4, endpoints = $5,
             image_digest = coalesce($6, image_digest), last_deploy = coalesce($7, last_deploy)
       WHERE id = $1 AND status <> 'deleting'""";
  private static final String ADOPT_ROLLBACK = """
      UPDATE paas_containers SET image_ref = $2, entrypoint = $3, cmd = $4, env_vars = $5, ports = $6, volumes = $7, healthcheck = $8,
             cpu = $9, memory_mb = $10, restart_policy = $11, previous_spec = NULL, last_deploy = $12
       WHERE id = $1""";

  private static final String INSERT_SECRET = """
      INSERT INTO caas_container_secrets (organization_id, container_id, name, target, sealed_value, created_by)
      VALUES ($1, $2, $3, 'file', $4, $5)""";
  private static final String SECRETS = "SELECT id, name, sealed_value, version, docker_secret_id FROM caas_container_secrets WHERE container_id = $1 ORDER BY name";
  private static final String SET_SECRET_ID = "UPDATE caas_container_secrets SET docker_secret_id = $2 WHERE id = $1";

  private static final String INSERT_EVENT = """
      INSERT INTO caas_container_events (organization_id, container_id, type, source, message, metadata, user_id)
      VALUES ($1, $2, $3, $4, $5, $6, $7)""";
  private static final String EVENTS = """
      SELECT id, type, source, message, metadata, user_id, created_at FROM caas_container_events
       WHERE container_id = $1 AND organization_id = $2 AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
       ORDER BY created_at DESC, id DESC LIMIT $5""";
  private static final String LAST_EVENT = """
      SELECT message FROM caas_container_events WHERE container_id = $1 AND type = $2 ORDER BY created_at DESC LIMIT 1""";

  private static final String VOLUME_NAMES = """
      SELECT id, docker_volume_name FROM paas_volumes WHERE organization_id = $1 AND id = ANY($2) AND status IN ('available', 'in_use')""";
  private static final String RELEASE_CONFIG = "SELECT env_vars_sealed FROM paas_releases WHERE id = $1 AND organization_id = $2";
  private static final String TIER = """
      SELECT t.id, t.cap_add_allowlist, t.read_only_rootfs, t.pids_limit, t.dedicated_nodes
        FROM organizations o JOIN caas_isolation_tiers t ON t.id = o.isolation_tier WHERE o.id = $1""";

  /** A sealed secret as stored. */
  public record StoredSecret(UUID id, String name, String sealedValue, int version, String dockerSecretId) {
  }

  /** The new container's id, or null when the name is taken in the organization. */
  public Future<UUID> insert(SqlClient client, UUID organizationId, String name, ContainerSpec spec, UUID registryCredentialId,
                             UUID planId, String region, String defaultDomain, UUID createdBy) {
    return client.preparedQuery(INSERT).execute(Tuple.from(new Object[] {organizationId, name, spec.imageRef(), registryCredentialId,
            array(spec.entrypoint()), array(spec.cmd()), spec.toJson().getJsonObject("env_vars"), spec.toJson().getJsonArray("ports"),
            spec.toJson().getJsonArray("volumes"), spec.healthcheck(), decimal(spec.cpu()), spec.memoryMb(), spec.replicas(),
            spec.restartPolicy(), planId, region, defaultDomain, createdBy}))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("id"));
  }

  public Future<Boolean> nameTaken(SqlClient client, UUID organizationId, String name) {
    return client.preparedQuery(NAME_TAKEN).execute(Tuple.of(organizationId, name)).map(rows -> rows.iterator().next().getBoolean("taken"));
  }

  /** Whether an app environment already has this default hostname. */
  public Future<Boolean> environmentHostnameTaken(SqlClient client, String hostname) {
    return client.preparedQuery(ENVIRONMENT_HOSTNAME).execute(Tuple.of(hostname)).map(rows -> rows.iterator().next().getBoolean("taken"));
  }

  public Future<ContainerRow> byId(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id, organizationId)).map(rows -> rows.size() == 0 ? null : ContainerRow.from(rows.iterator().next()));
  }

  /** Platform-internal lookup (reconciler); never reachable from a tenant request. */
  public Future<ContainerRow> byIdAnyOrganization(SqlClient client, UUID id) {
    return client.preparedQuery(BY_ID_ANY_ORG).execute(Tuple.of(id)).map(rows -> rows.size() == 0 ? null : ContainerRow.from(rows.iterator().next()));
  }

  public Future<List<ContainerRow>> page(SqlClient client, UUID organizationId, String status, String region, String search,
                                         OffsetDateTime before, UUID beforeId, int limit) {
    String pattern = search == null ? null : search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    return client.preparedQuery(PAGE).execute(Tuple.from(new Object[] {organizationId, status, region, pattern, before, beforeId, limit}))
        .map(rows -> {
          List<ContainerRow> page = new ArrayList<>();
          rows.forEach(row -> page.add(ContainerRow.from(row)));
          return page;
        });
  }

  public Future<List<UUID>> allIds(SqlClient client) {
    return client.query(ALL_IDS).execute().map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID("id")));
      return ids;
    });
  }

  /** Stores a new spec, keeping the old one for rollback. */
  public Future<Void> updateSpec(SqlClient client, ContainerRow current, ContainerSpec spec, int desiredReplicas, String status) {
    return client.preparedQuery(UPDATE_SPEC).execute(Tuple.from(new Object[] {current.id(), current.organizationId(), spec.imageRef(),
        array(spec.entrypoint()), array(spec.cmd()), spec.toJson().getJsonObject("env_vars"), spec.toJson().getJsonArray("ports"),
        spec.toJson().getJsonArray("volumes"), spec.healthcheck(), decimal(spec.cpu()), spec.memoryMb(), spec.replicas(), desiredReplicas,
        spec.restartPolicy(), current.spec().toJson(), status})).mapEmpty();
  }

  public Future<Void> setDesired(SqlClient client, ContainerRow current, int replicas, int desired, String status) {
    return client.preparedQuery(SET_DESIRED).execute(Tuple.of(current.id(), current.organizationId(), replicas, desired, status)).mapEmpty();
  }

  public Future<Void> bumpRestart(SqlClient client, ContainerRow current) {
    return client.preparedQuery(BUMP_RESTART).execute(Tuple.of(current.id(), current.organizationId())).mapEmpty();
  }

  public Future<Void> markDeleting(SqlClient client, ContainerRow current) {
    return client.preparedQuery(MARK_DELETING).execute(Tuple.of(current.id(), current.organizationId())).mapEmpty();
  }

  public Future<Void> delete(SqlClient client, UUID id) {
    return client.preparedQuery(DELETE).execute(Tuple.of(id)).mapEmpty();
  }

  public Future<Void> setService(SqlClient client, UUID id, String serviceId) {
    return client.preparedQuery(SET_SERVICE).execute(Tuple.of(id, serviceId)).mapEmpty();
  }

  /**
   * Marks every container of the organization as not yet applied, so the reconciler re-applies each one (a
   * rolling update) with what changed around it, e.g. its networks; returns their ids.
   */
  public Future<List<UUID>> reapplyOrganization(SqlClient client, UUID organizationId) {
    return client.preparedQuery(REAPPLY_ORGANIZATION).execute(Tuple.of(organizationId))
        .map(rows -> { List<UUID> ids = new java.util.ArrayList<>(); rows.forEach(r -> ids.add(r.getUUID("id"))); return ids; });
  }

  public Future<Void> applied(SqlClient client, UUID id, String generation) {
    return client.preparedQuery(APPLIED).execute(Tuple.of(id, generation)).mapEmpty();
  }

  public Future<Void> observed(SqlClient client, UUID id, String status, String reason, int running, JsonArray endpoints,
                               String digest, JsonObject lastDeploy) {
    return client.preparedQuery(OBSERVED).execute(Tuple.from(new Object[] {id, status, reason, running, endpoints, digest, lastDeploy})).mapEmpty();
  }

  /** After Swarm rolled a deploy back, the stored spec becomes what actually runs again. */
  public Future<Void> adoptRollback(SqlClient client, UUID id, ContainerSpec running, JsonObject lastDeploy) {
    return client.preparedQuery(ADOPT_ROLLBACK).execute(Tuple.from(new Object[] {id, running.imageRef(), array(running.entrypoint()),
        array(running.cmd()), running.toJson().getJsonObject("env_vars"), running.toJson().getJsonArray("ports"),
        running.toJson().getJsonArray("volumes"), running.healthcheck(), decimal(running.cpu()), running.memoryMb(),
        running.restartPolicy(), lastDeploy})).mapEmpty();
  }

  public Future<Void> insertSecret(SqlClient client, UUID organizationId, UUID containerId, String name, String sealed, UUID createdBy) {
    return client.preparedQuery(INSERT_SECRET).execute(Tuple.of(organizationId, containerId, name, sealed, createdBy)).mapEmpty();
  }

  public Future<List<StoredSecret>> secrets(SqlClient client, UUID containerId) {
    return client.preparedQuery(SECRETS).execute(Tuple.of(containerId)).map(rows -> {
      List<StoredSecret> secrets = new ArrayList<>();
      for (Row row : rows) {
        secrets.add(new StoredSecret(row.getUUID("id"), row.getString("name"), row.getString("sealed_value"), row.getInteger("version"),
            row.getString("docker_secret_id")));
      }
      return secrets;
    });
  }

  public Future<Void> setSecretDockerId(SqlClient client, UUID secretId, String dockerSecretId) {
    return client.preparedQuery(SET_SECRET_ID).execute(Tuple.of(secretId, dockerSecretId)).mapEmpty();
  }

  public Future<Void> event(SqlClient client, UUID organizationId, UUID containerId, String type, String source, String message,
                            JsonObject metadata, UUID userId) {
    return client.preparedQuery(INSERT_EVENT).execute(Tuple.from(new Object[] {organizationId, containerId, type, source, message,
        metadata == null ? new JsonObject() : metadata, userId})).mapEmpty();
  }

  public Future<List<JsonObject>> events(SqlClient client, UUID organizationId, UUID containerId, OffsetDateTime before, UUID beforeId, int limit) {
    return client.preparedQuery(EVENTS).execute(Tuple.from(new Object[] {containerId, organizationId, before, beforeId, limit})).map(rows -> {
      List<JsonObject> events = new ArrayList<>();
      for (Row row : rows) {
        events.add(new JsonObject().put("id", row.getUUID("id").toString()).put("type", row.getString("type"))
            .put("source", row.getString("source")).put("message", row.getString("message"))
            .put("metadata", row.getJsonObject("metadata"))
            .put("user_id", row.getUUID("user_id") == null ? null : row.getUUID("user_id").toString())
            .put("created_at", row.getOffsetDateTime("created_at").toString()));
      }
      return events;
    });
  }

  /** The newest event message of a type, to avoid recording the same observation twice. */
  public Future<String> lastEventMessage(SqlClient client, UUID containerId, String type) {
    return client.preparedQuery(LAST_EVENT).execute(Tuple.of(containerId, type))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("message"));
  }

  /** Docker volume names of the organization's volumes among {@code ids}; foreign or unknown ids are absent. */
  public Future<java.util.Map<UUID, String>> volumeNames(SqlClient client, UUID organizationId, List<UUID> ids) {
    return client.preparedQuery(VOLUME_NAMES).execute(Tuple.tuple().addValue(organizationId).addArrayOfUUID(ids.toArray(UUID[]::new))).map(rows -> {
      java.util.Map<UUID, String> names = new java.util.HashMap<>();
      rows.forEach(row -> names.put(row.getUUID("id"), row.getString("docker_volume_name")));
      return names;
    });
  }

  /** The sealed config vars (a JSON object) of a process workload's release, or null when it has none. */
  public Future<String> releaseConfig(SqlClient client, UUID organizationId, UUID releaseId) {
    return client.preparedQuery(RELEASE_CONFIG).execute(Tuple.of(releaseId, organizationId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("env_vars_sealed"));
  }

  /** The organization's isolation tier as stored (id, cap_add_allowlist, read_only_rootfs, pids_limit, dedicated_nodes). */
  public Future<Row> tier(SqlClient client, UUID organizationId) {
    return client.preparedQuery(TIER).execute(Tuple.of(organizationId)).map(rows -> rows.iterator().next());
  }

  private static String[] array(List<String> values) {
    return values == null ? null : values.toArray(String[]::new);
  }

  private static java.math.BigDecimal decimal(double value) {
    return java.math.BigDecimal.valueOf(value);
  }
}
