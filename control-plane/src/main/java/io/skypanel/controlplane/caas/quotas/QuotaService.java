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
      // add-ons' volumes take from the same storage allowance
      long volumeGb = usage.getLong("volume_gb") + usage.getLong("addon_storage_gb");
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

  /**
   * One more add-on of this size fits the organization's plan: {@code max_addons} (count), its memory within one
   * container's (plan capped by tier), and its storage within {@code max_volume_gb} together with the volumes and the
   * other add-ons; 422 quota_exceeded naming the limit otherwise.
   */
  public Future<Void> checkNewAddon(SqlClient client, UUID organizationId, int memoryMb, int storageGb) {
    return limits(client, organizationId, null).compose(limits -> quotas.usage(client, organizationId).compose(usage -> {
      long addons = usage.getLong("addons");
      if (addons + 1 > limits.maxAddons()) {
        return Future.failedFuture(volumeExceeded("max_addons", "/plan", "add-ons are limited to " + limits.maxAddons() + " on plan '"
            + limits.plan() + "' (the organization has " + addons + ")"));
      }
      return checkAddonSize(limits, usage, memoryMb, storageGb);
    }));
  }

  /** An existing add-on may move from {@code currentStorageGb} to a plan of this memory and storage. */
  public Future<Void> checkAddonResize(SqlClient client, UUID organizationId, int currentStorageGb, int memoryMb, int storageGb) {
    return limits(client, organizationId, null).compose(limits -> quotas.usage(client, organizationId)
        .compose(usage -> checkAddonSize(limits, usage, memoryMb, storageGb - currentStorageGb)));
  }

  private static Future<Void> checkAddonSize(QuotaRepository.Limits limits, JsonObject usage, int memoryMb, int extraStorageGb) {
    if (memoryMb > limits.memoryMb()) {
      return Future.failedFuture(volumeExceeded("memory_mb", "/plan", "an add-on's memory is limited to " + limits.memoryMb()
          + " MB on plan '" + limits.plan() + "' (tier " + limits.tier() + "), the add-on plan has " + memoryMb + " MB"));
    }
    long storage = usage.getLong("volume_gb") + usage.getLong("addon_storage_gb");
    if (extraStorageGb > 0 && storage + extraStorageGb > limits.maxVolumeGb()) {
      return Future.failedFuture(volumeExceeded("max_volume_gb", "/plan", "volume and add-on storage is limited to " + limits.maxVolumeGb()
          + " GB in total on plan '" + limits.plan() + "' (" + storage + " GB in use, " + extraStorageGb + " GB more requested)"));
    }
    return Future.succeededFuture();
  }

  /** A 422 quota_exceeded naming {@code limit} and the request field that broke it (volumes, add-ons). */
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
