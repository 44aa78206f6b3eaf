package io.skypanel.controlplane.caas.volumes;

import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.common.docker.Labels;
import com.github.dockerjava.api.exception.ConflictException;
import io.skypanel.common.Platform;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * CaaS volumes: named Docker volumes owned by an organization (their snapshots and restores are
 * {@link SnapshotService}'s).
 *
 * <ul>
 *   <li>Create: the plan's {@code max_volumes} (count) and {@code max_volume_gb} (total GB of all the organization's
 *       volumes) are checked under a lock on the organization, a {@code pending} row is inserted, the Docker volume
 *       {@code v-<volume id>} is created, and the row becomes {@code available} together with its activity entry.
 *       When Docker fails the row is removed and nothing was created.</li>
 *   <li>Delete: refused (409) while a container mounts the volume, while it has snapshots (the schema keeps no
 *       archive orphaned: delete the snapshots first) and while it is being created, restored or deleted.</li>
 * </ul>
 */
public final class VolumeService {

  static final String ORG_LABEL = Labels.ORG;
  static final String VOLUME_LABEL = Labels.VOLUME;

  private static final Logger LOG = LoggerFactory.getLogger(VolumeService.class);
  private static final Set<String> DELETABLE = Set.of("available", "in_use", "failed");

  private final Pool pool;
  private final Orchestrator orchestrator;
  private final String region;
  private final VolumeRepository volumes = new VolumeRepository();
  private final SnapshotRepository snapshots = new SnapshotRepository();
  private final ActivityRepository activity = new ActivityRepository();
  private final VolumeRules rules;

  public VolumeService(Platform platform, ControlPlaneOptions options, Orchestrator orchestrator, QuotaService quotas) {
    this.pool = platform.pool();
    this.orchestrator = orchestrator;
    this.region = options.catalog().defaultRegion();
    this.rules = new VolumeRules(volumes, quotas);
  }

  /** Labels of the Docker volume of a CaaS volume. */
  static Map<String, String> dockerLabels(UUID organizationId, UUID volumeId) {
    return Map.of(ORG_LABEL, organizationId.toString(), VOLUME_LABEL, volumeId.toString());
  }

  static String dockerName(UUID volumeId) {
    return "v-" + volumeId;
  }

  // --- volumes -------------------------------------------------------------------------------

  public Future<JsonObject> list(OrgContext org, Cursor cursor, int limit) {
    return volumes.page(pool, org.organizationId(), cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1)
        .map(rows -> Pages.of(rows, limit));
  }

  public Future<JsonObject> get(OrgContext org, UUID volumeId) {
    return volumes.byId(pool, org.organizationId(), volumeId).compose(VolumeRules::volumeFound);
  }

  public Future<JsonObject> create(Principal principal, OrgContext org, String name, int sizeGb, String requestedRegion, String ip) {
    String volumeRegion = requestedRegion == null ? region : requestedRegion;
    if (!volumeRegion.equals(region)) {
      return Future.failedFuture(ApiException.unprocessable("unsupported_region",
          "volumes can only be created in region '" + region + "' of this installation"));
    }
    UUID id = UUID.randomUUID();
    String dockerName = dockerName(id);
    return pool.withTransaction(conn -> rules.checkNameAndQuota(conn, org.organizationId(), name, sizeGb)
            .compose(v -> volumes.insert(conn, id, org.organizationId(), name, sizeGb, volumeRegion, dockerName, "pending", null, principal.userId()))
            .compose(inserted -> inserted == null ? Future.failedFuture(VolumeRules.nameTaken(name)) : Future.succeededFuture(inserted)))
        .compose(pending -> orchestrator.createVolume(dockerName, dockerLabels(org.organizationId(), id))
            .recover(err -> {
              LOG.warn("could not create Docker volume {} for volume {}", dockerName, id, err);
              return pool.withTransaction(conn -> volumes.delete(conn, org.organizationId(), id))
                  .transform(x -> Future.failedFuture(ApiException.unavailable("orchestration_failed",
                      "the volume could not be created on the container runtime; nothing was created, try again later")));
            }))
        .compose(created -> pool.withTransaction(conn -> volumes.markCreated(conn, id)
            .compose(volume -> volume == null ? Future.failedFuture(ApiException.unavailable("orchestration_failed",
                "creating the volume took too long and was abandoned; try again")) : Future.succeededFuture(volume))
            .compose(volume -> activity.insert(conn, VolumeRules.entry(org, principal, "caas.volume.create", "volume", id,
                new JsonObject().put("name", name).put("size_gb", sizeGb).put("region", volumeRegion)
                    .put("docker_volume_name", dockerName), ip)).map(volume))));
  }

  public Future<Void> delete(Principal principal, OrgContext org, UUID volumeId, String ip) {
    UUID orgId = org.organizationId();
    return pool.withTransaction(conn -> volumes.lock(conn, orgId, volumeId).compose(VolumeRules::volumeFound).compose(volume -> {
          String status = volume.getString("status");
          if (!DELETABLE.contains(status)) {
            return Future.failedFuture(VolumeRules.busy(volume));
          }
          return volumes.usedBy(conn, orgId, volumeId).compose(container -> container != null
                  ? Future.failedFuture(ApiException.conflict("volume_in_use", "the volume is mounted by container '" + container
                      + "'; remove it from the container first"))
                  : snapshots.counts(conn, orgId, volumeId))
              .compose(counts -> counts.snapshots() > 0
                  ? Future.failedFuture(ApiException.conflict("volume_has_snapshots", "the volume has " + counts.snapshots()
                      + " snapshot(s); delete them first"))
                  : volumes.setStatus(conn, orgId, volumeId, "deleting", null))
              .map(marked -> volume);
        }))
        .compose(volume -> orchestrator.removeVolume(volume.getString("docker_volume_name"))
            .recover(err -> {
              LOG.warn("could not remove Docker volume {} of volume {}: {}", volume.getString("docker_volume_name"), volumeId, err.getMessage());
              // back to what it was: the volume is still there and still usable
              return pool.withTransaction(conn -> volumes.setStatus(conn, orgId, volumeId, volume.getString("status"), volume.getString("status_reason")))
                  .transform(x -> Future.failedFuture(err instanceof ConflictException
                      ? ApiException.conflict("volume_in_use", "the container runtime reports the volume is still in use; try again later")
                      : ApiException.unavailable("orchestration_failed", "the volume could not be removed from the container runtime; try again later")));
            })
            .compose(removed -> pool.withTransaction(conn -> volumes.delete(conn, orgId, volumeId)
                .compose(v -> activity.insert(conn, VolumeRules.entry(org, principal, "caas.volume.delete", "volume", volumeId,
                    new JsonObject().put("name", volume.getString("name")).put("docker_volume_name", volume.getString("docker_volume_name")), ip))))));
  }
}
