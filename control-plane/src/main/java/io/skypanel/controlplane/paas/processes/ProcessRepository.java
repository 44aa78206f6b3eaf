package io.skypanel.controlplane.paas.processes;

import io.skypanel.controlplane.runtime.workloads.ContainerRow;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SQL of process workloads: the {@code paas_containers} rows of kind {@code process}, one per process type of an
 * environment, which the container reconciler converges like any container.
 */
public final class ProcessRepository {

  /**
   * A process type's workload takes the release's image, command and config (a new spec version, so the reconciler
   * rolls it start-first); the row before the change is kept as previous_spec, with the spec version and restart
   * generation of the release change (so a later rollback can tell a failed release from a failed restart or resize). A
   * row being torn down is left alone.
   */
  private static final String UPSERT = """
      INSERT INTO paas_containers AS c (organization_id, name, image_ref, entrypoint, cmd, ports, healthcheck, cpu, memory_mb, replicas,
                                        desired_replicas, region, default_domain, created_by, kind, environment_id, process_type,
                                        release_id, status)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, 'process', $14, $2, $15,
              CASE WHEN $10 = 0 THEN 'stopped' ELSE 'deploying' END)
      ON CONFLICT (environment_id, process_type) WHERE kind = 'process' DO UPDATE
         SET image_ref = EXCLUDED.image_ref, entrypoint = EXCLUDED.entrypoint, cmd = EXCLUDED.cmd, ports = EXCLUDED.ports,
             healthcheck = EXCLUDED.healthcheck, cpu = EXCLUDED.cpu, memory_mb = EXCLUDED.memory_mb, replicas = EXCLUDED.replicas,
             desired_replicas = EXCLUDED.desired_replicas, default_domain = EXCLUDED.default_domain, release_id = EXCLUDED.release_id,
             previous_spec = jsonb_build_object('image_ref', c.image_ref, 'release_id', c.release_id, 'spec_version', c.spec_version + 1,
                                               'restart_generation', c.restart_generation),
             spec_version = c.spec_version + 1, status = EXCLUDED.status, status_reason = NULL
       WHERE c.status <> 'deleting'
      RETURNING id""";
  private static final String BY_ENVIRONMENT = "SELECT " + ContainerRow.COLUMNS + " " + """
       FROM paas_containers c WHERE c.environment_id = $1 AND c.organization_id = $2 AND c.kind = 'process' AND c.status <> 'deleting'
       ORDER BY c.process_type""";
  /** Process types the new release no longer has are torn down. */
  private static final String RETIRE_OTHERS = """
      UPDATE paas_containers SET status = 'deleting'
       WHERE environment_id = $1 AND organization_id = $2 AND kind = 'process' AND NOT (process_type = ANY($3)) AND status <> 'deleting'
      RETURNING id""";
  private static final String SCALE = """
      UPDATE paas_containers SET replicas = $4, desired_replicas = $4, cpu = $5, memory_mb = $6,
             spec_version = spec_version + CASE WHEN cpu <> $5 OR memory_mb <> $6 THEN 1 ELSE 0 END,
             status = CASE WHEN $4 = 0 THEN 'stopped' ELSE 'deploying' END, status_reason = NULL
       WHERE environment_id = $1 AND organization_id = $2 AND kind = 'process' AND process_type = $3 AND status <> 'deleting'
      RETURNING id""";
  private static final String RESTART = """
      UPDATE paas_containers SET restart_generation = restart_generation + 1, status = CASE WHEN desired_replicas = 0 THEN 'stopped' ELSE 'deploying' END
       WHERE environment_id = $1 AND organization_id = $2 AND kind = 'process' AND ($3::text IS NULL OR process_type = $3)
         AND status <> 'deleting'
      RETURNING id""";
  private static final String MARK_DELETING = """
      UPDATE paas_containers SET status = 'deleting' WHERE environment_id = ANY($1) AND organization_id = $2 AND kind = 'process' RETURNING id""";
  /** After Swarm rolled a process's update back: the workload says what runs again and that this generation is handled. */
  private static final String ROLLED_BACK = """
      UPDATE paas_containers SET image_ref = $2, release_id = $3, previous_spec = NULL, last_deploy = $4 WHERE id = $1""";
  private static final String PLAN_SIZE = "SELECT id, cpu::float8 AS cpu, memory_mb FROM paas_plans WHERE slug = $1 AND active";

  /** The size a plan slug stands for. */
  public record Size(String slug, UUID planId, double cpu, int memoryMb) {
  }

  /** The workload's id, or null when a row of that type is still being torn down. */
  public Future<UUID> upsert(SqlClient client, UUID organizationId, UUID environmentId, String type, String image, List<String> entrypoint,
                             List<String> cmd, JsonArray ports, JsonObject healthcheck, Size size, int quantity, String region,
                             String defaultDomain, UUID releaseId, UUID createdBy) {
    return client.preparedQuery(UPSERT).execute(Tuple.from(new Object[] {organizationId, type, image,
            entrypoint == null ? null : entrypoint.toArray(String[]::new), cmd == null ? null : cmd.toArray(String[]::new), ports,
            healthcheck, BigDecimal.valueOf(size.cpu()), size.memoryMb(), quantity, region, defaultDomain, createdBy, environmentId, releaseId}))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("id"));
  }

  public Future<List<ContainerRow>> byEnvironment(SqlClient client, UUID organizationId, UUID environmentId) {
    return client.preparedQuery(BY_ENVIRONMENT).execute(Tuple.of(environmentId, organizationId)).map(rows -> {
      List<ContainerRow> processes = new ArrayList<>();
      rows.forEach(row -> processes.add(ContainerRow.from(row)));
      return processes;
    });
  }

  public Future<List<UUID>> retireOthers(SqlClient client, UUID organizationId, UUID environmentId, List<String> keep) {
    return ids(client.preparedQuery(RETIRE_OTHERS).execute(Tuple.of(environmentId, organizationId, keep.toArray(String[]::new))));
  }

  public Future<List<UUID>> scale(SqlClient client, UUID organizationId, UUID environmentId, String type, int quantity, Size size) {
    return ids(client.preparedQuery(SCALE).execute(Tuple.of(environmentId, organizationId, type, quantity, BigDecimal.valueOf(size.cpu()),
        size.memoryMb())));
  }

  public Future<List<UUID>> restart(SqlClient client, UUID organizationId, UUID environmentId, String type) {
    return ids(client.preparedQuery(RESTART).execute(Tuple.of(environmentId, organizationId, type)));
  }

  public Future<List<UUID>> markDeleting(SqlClient client, UUID organizationId, List<UUID> environmentIds) {
    return ids(client.preparedQuery(MARK_DELETING).execute(Tuple.tuple().addArrayOfUUID(environmentIds.toArray(UUID[]::new))
        .addValue(organizationId)));
  }

  /** Records a rollback of the workload's current generation; it runs {@code image} of {@code releaseId} again. */
  public Future<Void> rolledBack(SqlClient client, UUID id, String image, UUID releaseId, JsonObject lastDeploy) {
    return client.preparedQuery(ROLLED_BACK).execute(Tuple.of(id, image, releaseId, lastDeploy)).mapEmpty();
  }

  /** The catalog plan of that slug, or null. */
  public Future<Size> size(SqlClient client, String slug) {
    return client.preparedQuery(PLAN_SIZE).execute(Tuple.of(slug)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Size(slug, row.getUUID("id"), row.getDouble("cpu"), row.getInteger("memory_mb"));
    });
  }

  private static Future<List<UUID>> ids(Future<io.vertx.sqlclient.RowSet<Row>> rows) {
    return rows.map(set -> {
      List<UUID> ids = new ArrayList<>();
      set.forEach(row -> ids.add(row.getUUID("id")));
      return ids;
    });
  }
}
