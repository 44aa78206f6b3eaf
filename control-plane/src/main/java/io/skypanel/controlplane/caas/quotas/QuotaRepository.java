package io.skypanel.controlplane.caas.quotas;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/** SQL reading an organization's limits (plan and isolation tier) and what it currently uses. */
final class QuotaRepository {

  /** The plan: the container's own if given and active, else the organization's, else the default slug. */
  private static final String LIMITS = """
      SELECT p.slug AS plan, p.cpu::float8 AS cpu, p.memory_mb, p.max_replicas, p.max_containers, p.max_volumes, p.max_volume_gb,
             p.max_domains, p.max_apps, p.max_addons, t.id AS tier, t.max_cpu::float8 AS tier_max_cpu, t.max_memory_mb AS tier_max_memory_mb,
             t.max_replicas AS tier_max_replicas
        FROM organizations o
        JOIN caas_isolation_tiers t ON t.id = o.isolation_tier
        JOIN paas_plans p ON p.id = coalesce(
             (SELECT id FROM paas_plans WHERE id = $2 AND active),
             o.plan_id,
             (SELECT id FROM paas_plans WHERE slug = $3))
       WHERE o.id = $1""";
  private static final String USAGE = """
      SELECT (SELECT count(*) FROM paas_containers WHERE organization_id = $1 AND kind = 'container' AND status <> 'deleting') AS containers,
             (SELECT coalesce(sum(desired_replicas), 0) FROM paas_containers WHERE organization_id = $1 AND status <> 'deleting') AS replicas,
             (SELECT coalesce(sum(cpu * desired_replicas), 0)::float8 FROM paas_containers WHERE organization_id = $1 AND status <> 'deleting') AS cpu,
             (SELECT coalesce(sum(memory_mb * desired_replicas), 0) FROM paas_containers WHERE organization_id = $1 AND status <> 'deleting') AS memory_mb,
             (SELECT count(*) FROM paas_volumes WHERE organization_id = $1 AND status <> 'deleting') AS volumes,
             (SELECT coalesce(sum(size_gb), 0) FROM paas_volumes WHERE organization_id = $1 AND status <> 'deleting') AS volume_gb,
             (SELECT count(*) FROM paas_domains WHERE organization_id = $1) AS domains,
             (SELECT count(*) FROM paas_addons WHERE organization_id = $1 AND status <> 'deprovisioning') AS addons,
             (SELECT coalesce(sum(p.storage_gb), 0) FROM paas_addons d JOIN paas_addon_plans p ON p.id = d.plan_id
               WHERE d.organization_id = $1 AND d.status <> 'deprovisioning') AS addon_storage_gb""";

  /** Null when neither the container's, the organization's nor the default plan exists. */
  Future<Limits> limits(SqlClient client, UUID organizationId, UUID planId, String defaultPlan) {
    return client.preparedQuery(LIMITS).execute(Tuple.of(organizationId, planId, defaultPlan))
        .map(rows -> rows.size() == 0 ? null : Limits.from(rows.iterator().next()));
  }

  Future<JsonObject> usage(SqlClient client, UUID organizationId) {
    return client.preparedQuery(USAGE).execute(Tuple.of(organizationId)).map(rows -> {
      Row row = rows.iterator().next();
      return new JsonObject()
          .put("containers", row.getLong("containers"))
          .put("replicas", row.getLong("replicas"))
          .put("cpu", row.getDouble("cpu"))
          .put("memory_mb", row.getLong("memory_mb"))
          .put("volumes", row.getLong("volumes"))
          .put("volume_gb", row.getLong("volume_gb"))
          .put("domains", row.getLong("domains"))
          .put("addons", row.getLong("addons"))
          .put("addon_storage_gb", row.getLong("addon_storage_gb"));
    });
  }

  /** Effective limits: the plan's, capped by the isolation tier's. */
  record Limits(String plan, String tier, double cpu, int memoryMb, int maxReplicas, int maxContainers, int maxVolumes,
                int maxVolumeGb, int maxDomains, int maxApps, int maxAddons) {

    static Limits from(Row row) {
      return new Limits(row.getString("plan"), row.getString("tier"),
          Math.min(row.getDouble("cpu"), row.getDouble("tier_max_cpu")),
          Math.min(row.getInteger("memory_mb"), row.getInteger("tier_max_memory_mb")),
          Math.min(row.getInteger("max_replicas"), row.getInteger("tier_max_replicas")),
          row.getInteger("max_containers"), row.getInteger("max_volumes"), row.getInteger("max_volume_gb"), row.getInteger("max_domains"),
          row.getInteger("max_apps"), row.getInteger("max_addons"));
    }

    JsonObject toJson() {
      return new JsonObject().put("plan", plan).put("isolation_tier", tier).put("cpu_per_container", cpu)
          .put("memory_mb_per_container", memoryMb).put("replicas_per_container", maxReplicas).put("containers", maxContainers)
          .put("volumes", maxVolumes).put("volume_gb", maxVolumeGb).put("domains", maxDomains).put("apps", maxApps)
          .put("addons", maxAddons);
    }
  }
}
