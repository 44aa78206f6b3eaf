package io.skypanel.controlplane.caas.quotas;

import io.skypanel.common.errors.DomainException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;

import java.util.UUID;

/**
 * Quotas from the plan (the size of one container and how many an organization may have) capped by the
 * isolation tier. Checks run inside the caller's transaction, so what they count is what gets committed.
 */
public final class QuotaService {

  private final String defaultPlan;
  private final QuotaRepository quotas = new QuotaRepository();

  /** @param defaultPlan the plan slug of an organization or workload without one ({@code SKYPANEL_CAAS_DEFAULT_PLAN}) */
  public QuotaService(String defaultPlan) {
    this.defaultPlan = defaultPlan;
  }

  /** A new container of this size and replica count fits the organization's limits; 422 quota_exceeded otherwise. */
  public Future<Void> checkNewContainer(SqlClient client, UUID organizationId, UUID planId, double cpu, int memoryMb, int replicas) {
    return limits(client, organizationId, planId).compose(limits -> quotas.usage(client, organizationId).compose(usage -> {
      if (usage.getLong("containers") + 1 > limits.maxContainers()) {
        return exceeded("containers", limits.maxContainers(), limits);
      }
      return checkSize(limits, cpu, memoryMb, replicas);
    }));
  }

  /** An existing container may take this size and replica count. */
  public Future<Void> checkContainerSize(SqlClient client, UUID organizationId, UUID planId, double cpu, int memoryMb, int replicas) {
    return limits(client, organizationId, planId).compose(limits -> checkSize(limits, cpu, memoryMb, replicas));
  }

  /**
   * One more volume of {@code sizeGb} fits the organization's plan: {@code max_volumes} (count) and
   * {@code max_volume_gb} (total GB of all its volumes); 422 quota_exceeded naming the limit otherwise.
   */
  public Future<Void> checkNewVolume(SqlClient client, UUID organizationId, int sizeGb) {
    return limits(client, organizationId, null).compose(limits -> quotas.usage(client, organizationId).compose(usage -> {
      long volumes = usage.getLong("volumes");
      long volumeGb = usage.getLong("volume_gb");
      if (volumes + 1 > limits.maxVolumes()) {
        return Future.failedFuture(volumeExceeded("max_volumes", "/name", "volumes are limited to " + limits.maxVolumes()
            + " on plan '" + limits.plan() + "' (the organization has " + volumes + ")"));
      }
      if (volumeGb + sizeGb > limits.maxVolumeGb()) {
        return Future.failedFuture(volumeExceeded("max_volume_gb", "/size_gb", "volume storage is limited to " + limits.maxVolumeGb()
            + " GB in total on plan '" + limits.plan() + "' (" + volumeGb + " GB in use, " + sizeGb + " GB requested)"));
      }
      return Future.succeededFuture();
    }));
  }

  /**
   * One more custom domain fits the organization's plan ({@code max_domains}, counting every domain it has, verified
   * or not); 422 quota_exceeded naming the limit otherwise.
   */
  public Future<Void> checkNewDomain(SqlClient client, UUID organizationId) {
    return limits(client, organizationId, null).compose(limits -> quotas.usage(client, organizationId).compose(usage -> {
      long domains = usage.getLong("domains");
      if (domains + 1 > limits.maxDomains()) {
        String message = "custom domains are limited to " + limits.maxDomains() + " on plan '" + limits.plan()
            + "' (the organization has " + domains + "); delete one or upgrade the plan";
        return Future.failedFuture(new QuotaExceeded("quota exceeded (max_domains): " + message,
            new JsonArray().add(new JsonObject().put("field", "/hostname").put("rule", "max_domains").put("message", message))));
      }
      return Future.succeededFuture();
    }));
  }

  private static QuotaExceeded volumeExceeded(String limit, String field, String message) {
    return new QuotaExceeded("quota exceeded (" + limit + "): " + message,
        new JsonArray().add(new JsonObject().put("field", field).put("rule", limit).put("message", message)));
  }

  /** How many PaaS apps the organization's plan allows. */
  public Future<Long> maxApps(SqlClient client, UUID organizationId) {
    return limits(client, organizationId, null).map(limits -> (long) limits.maxApps());
  }

  /** {@code {"limits": {...}, "used": {...}}} for the organization. */
  public Future<JsonObject> usage(SqlClient client, UUID organizationId) {
    return limits(client, organizationId, null).compose(limits -> quotas.usage(client, organizationId)
        .map(used -> new JsonObject().put("limits", limits.toJson()).put("used", used)));
  }

  private Future<QuotaRepository.Limits> limits(SqlClient client, UUID organizationId, UUID planId) {
    return quotas.limits(client, organizationId, planId, defaultPlan).compose(limits -> limits == null
        ? Future.failedFuture(new DomainException(DomainException.Kind.UNPROCESSABLE, "no_plan", "the organization has no plan and the default plan '" + defaultPlan + "' does not exist"))
        : Future.succeededFuture(limits));
  }

  private static Future<Void> checkSize(QuotaRepository.Limits limits, double cpu, int memoryMb, int replicas) {
    if (replicas > limits.maxReplicas()) {
      return exceeded("replicas per container", limits.maxReplicas(), limits);
    }
    if (cpu > limits.cpu()) {
      return exceeded("cpu per container", limits.cpu(), limits);
    }
    if (memoryMb > limits.memoryMb()) {
      return exceeded("memory_mb per container", limits.memoryMb(), limits);
    }
    return Future.succeededFuture();
  }

  private static Future<Void> exceeded(String what, Object limit, QuotaRepository.Limits limits) {
    return Future.failedFuture(new QuotaExceeded(
        "quota exceeded: " + what + " is limited to " + limit + " on plan '" + limits.plan() + "' (tier " + limits.tier() + ")"));
  }
}
