package io.skypanel.controlplane.paas.releases;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.caas.policies.PolicyService;
import io.skypanel.controlplane.paas.environments.EnvironmentRepository;
import io.skypanel.controlplane.paas.environments.EnvironmentRow;
import io.skypanel.controlplane.paas.processes.ProcessRollout;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;

import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Releases of an environment: a deploy, a config change and a rollback each make a new, immutable release (with the
 * environment locked, so versions count up without gaps or twins) and make it live in the same transaction, unless a
 * release phase must run first (then the release stays pending and {@link ReleasePhase} decides in the background).
 */
public final class ReleaseService {

  private final Pool pool;
  private final PolicyService policies;
  private final ProcessRollout rollout;
  private final ReleasePhase phase;
  private final Consumer<List<UUID>> converge;
  private final ReleaseRepository releases = new ReleaseRepository();
  private final EnvironmentRepository environments = new EnvironmentRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public ReleaseService(Pool pool, PolicyService policies, ProcessRollout rollout, ReleasePhase phase, Consumer<List<UUID>> converge) {
    this.pool = pool;
    this.policies = policies;
    this.rollout = rollout;
    this.phase = phase;
    this.converge = converge;
  }

  /** 201 with the new release; pending while its release phase runs. The image policy applies as for containers. */
  public Future<JsonObject> deploy(Principal principal, OrgContext org, UUID environmentId, JsonObject body, String ip) {
    String image = body.getString("image_ref");
    JsonObject processTypes = body.getJsonObject("process_types", new JsonObject().putNull("web"));
    if (processTypes.isEmpty() || processTypes.fieldNames().stream().allMatch(Release.RELEASE_PHASE::equals)) {
      return Future.failedFuture(ApiException.validation("process_types needs at least one process type besides release", null));
    }
    String digest = image.contains("@sha256:") ? image.substring(image.indexOf('@') + 1) : null;
    return ship(principal, org, environmentId, new Shipment(image, digest, body.getInteger("port"), processTypes, "Deploy " + image,
        "paas.release.deploy", new JsonObject()), ip);
  }

  /**
   * What a new release of an environment ships: the image (its digest when pinned), the web port (null: the
   * environment's), the process types, its description, and the activity action with details of its own.
   */
  public record Shipment(String imageRef, String imageDigest, Integer port, JsonObject processTypes, String description, String action,
                         JsonObject details) {
  }

  /**
   * The deploy path (deploys and promotions): a new release of the shipment with the environment's own config, live
   * at once or after its release phase. The image policy, quotas and rollout apply as for any deploy.
   */
  public Future<JsonObject> ship(Principal principal, OrgContext org, UUID environmentId, Shipment shipment, String ip) {
    return policies.check(org.organizationId(), shipment.imageRef()).compose(allowed -> pool.withTransaction(conn ->
            environment(conn, org, environmentId).compose(env -> {
              int port = shipment.port() == null ? env.port() : shipment.port();
              boolean releasePhase = shipment.processTypes().getString(Release.RELEASE_PHASE) != null;
              Release draft = Release.draft(org.organizationId(), env.id(), shipment.imageRef(), shipment.imageDigest(), port,
                  shipment.processTypes(), env.envVarsSealed(), env.envVarNames(), shipment.description(),
                  releasePhase ? "pending" : "succeeded", null, principal.userId());
              return cut(conn, env, draft).compose(cut -> audit(conn, principal, org, shipment.action(), cut.release(), shipment.details(), ip)
                  .map(cut));
            })))
        .map(this::afterCommit);
  }

  /** Heroku's rule: a new release with that version's image, process types and config (the config becomes current again). */
  public Future<JsonObject> rollback(Principal principal, OrgContext org, UUID environmentId, int version, String ip) {
    return pool.withTransaction(conn -> environment(conn, org, environmentId).compose(env -> release(conn, org, env.id(), version)
            .compose(target -> {
              Release draft = Release.draft(org.organizationId(), env.id(), target.imageRef(), target.imageDigest(), target.port(),
                  target.processTypes(), target.envVarsSealed(), target.envVarNames(), "Rollback to v" + version, "succeeded", version,
                  principal.userId());
              return environments.setConfig(conn, env, target.envVarsSealed(), target.envVarNames())
                  .compose(v -> cut(conn, env, draft))
                  .compose(cut -> audit(conn, principal, org, "paas.release.rollback", cut.release(), new JsonObject(), ip).map(cut));
            })))
        .map(this::afterCommit);
  }

  /**
   * After a config change (the environment locked by the caller): a new release of the live image with the new config,
   * live at once; none while nothing was ever deployed.
   */
  public Future<Cut> configChanged(SqlConnection conn, EnvironmentRow env, String sealed, List<String> names, String description, UUID userId) {
    if (env.currentReleaseId() == null) {
      return Future.succeededFuture(null);
    }
    return releases.byId(conn, env.currentReleaseId()).compose(live -> cut(conn, env, Release.draft(env.organizationId(), env.id(),
        live.imageRef(), live.imageDigest(), live.port(), live.processTypes(), sealed, names, description, "succeeded", null, userId)));
  }

  /** Converges what a committed cut touched and starts its release phase. */
  public JsonObject afterCommit(Cut cut) {
    converge.accept(cut.workloads());
    if ("pending".equals(cut.release().status())) {
      phase.start(cut.release());
    }
    return cut.release().toJson("succeeded".equals(cut.release().status()));
  }

  public Future<JsonObject> list(OrgContext org, UUID environmentId, Cursor cursor, int limit) {
    return environment(pool, org, environmentId).compose(env -> releases.page(pool, org.organizationId(), env.id(),
            cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1)
        .map(page -> Pages.of(page.stream().map(r -> r.toJson(r.id().equals(env.currentReleaseId()))).toList(), limit)));
  }

  public Future<JsonObject> get(OrgContext org, UUID environmentId, int version) {
    return environment(pool, org, environmentId).compose(env -> release(pool, org, env.id(), version)
        .map(release -> release.toJson(release.id().equals(env.currentReleaseId()))));
  }

  /** A release inserted in the caller's transaction and the workloads its going live touched. */
  public record Cut(Release release, List<UUID> workloads) {
  }

  private Future<Cut> cut(SqlConnection conn, EnvironmentRow env, Release draft) {
    return releases.insert(conn, draft).compose(release -> "succeeded".equals(release.status())
        ? rollout.goLive(conn, env, release, "default", draft.createdBy()).map(ids -> new Cut(release, ids))
        : Future.succeededFuture(new Cut(release, List.of())));
  }

  private Future<EnvironmentRow> environment(SqlClient client, OrgContext org, UUID id) {
    return environments.byId(client, org.organizationId(), id, client instanceof SqlConnection).compose(env -> env == null
        ? Future.failedFuture(ApiException.notFound("environment"))
        : Future.succeededFuture(env));
  }

  private Future<Release> release(SqlClient client, OrgContext org, UUID environmentId, int version) {
    return releases.byVersion(client, org.organizationId(), environmentId, version).compose(release -> release == null
        ? Future.failedFuture(ApiException.notFound("release"))
        : Future.succeededFuture(release));
  }

  private Future<Void> audit(SqlConnection conn, Principal principal, OrgContext org, String action, Release release, JsonObject details,
                             String ip) {
    return activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), action, "environment",
        release.environmentId().toString(), details.copy().put("version", release.version()).put("description", release.description()), ip));
  }
}
