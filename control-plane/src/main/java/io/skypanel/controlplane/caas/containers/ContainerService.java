package io.skypanel.controlplane.caas.containers;

import io.skypanel.controlplane.runtime.workloads.ContainerReconciler;
import io.skypanel.controlplane.runtime.workloads.ContainerRepository;
import io.skypanel.controlplane.runtime.workloads.ContainerRow;
import io.skypanel.controlplane.runtime.workloads.EdgeReachability;
import io.skypanel.controlplane.runtime.workloads.WorkloadMetrics;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.crypto.SecretBox;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.caas.policies.PolicyService;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.caas.registries.RegistryCredentialService;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The customer's containers: every action checks policy and quota, writes the new desired state, its
 * timeline event and the activity row in one transaction, then asks the reconciler to converge. Answers are
 * 202: Swarm catches up asynchronously and {@code GET} shows how far it got.
 */
public final class ContainerService {

  private final Pool pool;
  private final SecretBox secrets;
  private final PolicyService policies;
  private final RegistryCredentialService registries;
  private final QuotaService quotas;
  private final ContainerReconciler reconciler;
  private final String baseDomain;
  private final EdgeReachability reachability;
  private final WorkloadMetrics metrics;
  private final ContainerRepository containers = new ContainerRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public ContainerService(Pool pool, SecretBox secrets, PolicyService policies, RegistryCredentialService registries, QuotaService quotas,
                          ContainerReconciler reconciler, EdgeReachability reachability, WorkloadMetrics metrics,
                          String baseDomain) {
    this.reachability = reachability;
    this.metrics = metrics;
    this.pool = pool;
    this.secrets = secrets;
    this.policies = policies;
    this.registries = registries;
    this.quotas = quotas;
    this.reconciler = reconciler;
    this.baseDomain = baseDomain;
  }

  public Future<JsonObject> create(Principal principal, OrgContext org, JsonObject body, String ip) {
    ContainerSpec spec = ContainerSpec.fromRequest(body);
    String name = body.getString("name");
    UUID planId = body.getString("plan_id") == null ? null : UUID.fromString(body.getString("plan_id"));
    String region = body.getString("region", "default");
    JsonObject secretValues = body.getJsonObject("secrets", new JsonObject());
    String domain = name + "-" + org.slug() + "." + baseDomain;
    // the credential matching the image's registry is recorded, so it cannot be deleted while in use
    return policies.check(org.organizationId(), spec.imageRef())
        .compose(allowed -> registries.matchFor(org.organizationId(), spec.imageRef()))
        .compose(credential -> pool.withTransaction(conn ->
        quotas.checkNewContainer(conn, org.organizationId(), planId, spec.cpu(), spec.memoryMb(), spec.replicas())
            .compose(v -> checkVolumes(conn, org.organizationId(), spec))
            .compose(v -> containers.environmentHostnameTaken(conn, domain))
            .compose(taken -> taken
                ? Future.failedFuture(ApiException.conflict("hostname_taken", "the hostname " + domain + " is already an app's"))
                : Future.<Void>succeededFuture())
            .compose(v -> containers.insert(conn, org.organizationId(), name, spec, credential == null ? null : credential.credentialId(),
                planId, region, domain, principal.userId()))
            .compose(id -> {
              if (id == null) {
                return Future.failedFuture(ApiException.conflict("name_taken", "a container named '" + name + "' already exists"));
              }
              Future<Void> stored = Future.succeededFuture();
              for (String secret : secretValues.fieldNames()) {
                String sealed = secrets.encrypt(String.valueOf(secretValues.getValue(secret)));
                stored = stored.compose(x -> containers.insertSecret(conn, org.organizationId(), id, secret, sealed, principal.userId()));
              }
              return stored
                  .compose(x -> containers.event(conn, org.organizationId(), id, "create", "platform", "created from " + spec.imageRef(), null, principal.userId()))
                  .compose(x -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "caas.container.create", "container",
                      id.toString(), new JsonObject().put("name", name).put("image_ref", spec.imageRef()), ip)))
                  .compose(x -> containers.byId(conn, org.organizationId(), id));
            })))
        .andThen(created -> converge(created.succeeded() ? created.result() : null))
        .map(ContainerRow::toJson);
  }

  public Future<JsonObject> list(OrgContext org, String status, String region, String search, Cursor cursor, int limit) {
    return containers.page(pool, org.organizationId(), status, region, search, cursor == null ? null : cursor.createdAt(),
            cursor == null ? null : cursor.id(), limit + 1)
        .compose(rows -> Future.all(rows.stream().map(reachability::view).toList()))
        .map(views -> Pages.of(views.<JsonObject>list(), limit));
  }

  public Future<JsonObject> get(OrgContext org, UUID id) {
    return find(pool, org, id).compose(reachability::view);
  }

  public Future<JsonObject> delete(Principal principal, OrgContext org, UUID id, String ip) {
    return mutate(principal, org, id, "delete", "caas.container.delete", ip, (conn, row) -> containers.markDeleting(conn, row)
        .map(v -> "deletion requested"));
  }

  public Future<JsonObject> deploy(Principal principal, OrgContext org, UUID id, String imageRef, String ip) {
    return policies.check(org.organizationId(), imageRef).compose(allowed ->
        mutate(principal, org, id, "deploy", "caas.container.deploy", ip, (conn, row) -> containers.updateSpec(conn, row,
            row.spec().withImage(imageRef), row.desiredReplicas(), row.desiredReplicas() == 0 ? "stopped" : "deploying")
            .map(v -> "deploying " + imageRef)));
  }

  public Future<JsonObject> scale(Principal principal, OrgContext org, UUID id, int replicas, String ip) {
    return mutate(principal, org, id, "scale", "caas.container.scale", ip, (conn, row) ->
        quotas.checkContainerSize(conn, org.organizationId(), row.planId(), row.spec().cpu(), row.spec().memoryMb(), replicas)
            .compose(v -> {
              boolean stopped = row.desiredReplicas() == 0 && "stopped".equals(row.status());
              return containers.setDesired(conn, row, replicas, stopped ? 0 : replicas, stopped ? "stopped" : "deploying");
            })
            .map(v -> "scaled from " + row.spec().replicas() + " to " + replicas));
  }

  public Future<JsonObject> restart(Principal principal, OrgContext org, UUID id, String ip) {
    return mutate(principal, org, id, "restart", "caas.container.restart", ip, (conn, row) -> containers.bumpRestart(conn, row)
        .map(v -> "rolling restart"));
  }

  public Future<JsonObject> stop(Principal principal, OrgContext org, UUID id, String ip) {
    return mutate(principal, org, id, "stop", "caas.container.stop", ip, (conn, row) ->
        containers.setDesired(conn, row, row.spec().replicas(), 0, "stopped").map(v -> "stopped"));
  }

  public Future<JsonObject> start(Principal principal, OrgContext org, UUID id, String ip) {
    return mutate(principal, org, id, "start", "caas.container.start", ip, (conn, row) ->
        containers.setDesired(conn, row, row.spec().replicas(), row.spec().replicas(), "deploying").map(v -> "started"));
  }

  /** Swaps back to the spec before the last change (image, config, resources); rolling back twice returns. */
  public Future<JsonObject> rollback(Principal principal, OrgContext org, UUID id, String ip) {
    return mutate(principal, org, id, "rollback", "caas.container.rollback", ip, (conn, row) -> {
      if (row.previousSpec() == null) {
        return Future.failedFuture(ApiException.unprocessable("nothing_to_roll_back", "the container has no previous version"));
      }
      ContainerSpec previous = ContainerSpec.fromJson(row.previousSpec()).withReplicas(row.spec().replicas());
      return containers.updateSpec(conn, row, previous, row.desiredReplicas(), row.desiredReplicas() == 0 ? "stopped" : "deploying")
          .map(v -> "rolled back to " + previous.imageRef());
    });
  }

  public Future<JsonObject> env(OrgContext org, UUID id) {
    return find(pool, org, id).map(row -> new JsonObject(new java.util.LinkedHashMap<>(row.spec().env())));
  }

  /** Heroku semantics: a value sets, null deletes; applied as a rolling update. Only key names are logged. */
  public Future<JsonObject> patchEnv(Principal principal, OrgContext org, UUID id, JsonObject patch, String ip) {
    ContainerSpec[] patched = new ContainerSpec[1];
    return mutate(principal, org, id, "update", "caas.container.env.update", ip, (conn, row) -> {
      patched[0] = row.spec().patchEnv(patch);
      return containers.updateSpec(conn, row, patched[0], row.desiredReplicas(), row.desiredReplicas() == 0 ? "stopped" : "deploying")
          .map(v -> "config vars changed: " + String.join(", ", patch.fieldNames()));
    }).map(container -> container.getJsonObject("env_vars"));
  }

  public Future<JsonObject> events(OrgContext org, UUID id, Cursor cursor, int limit) {
    return find(pool, org, id).compose(row -> containers.events(pool, org.organizationId(), id, cursor == null ? null : cursor.createdAt(),
        cursor == null ? null : cursor.id(), limit + 1)).map(rows -> Pages.of(rows, limit));
  }

  /** One docker stats sample per running task, and the edge's request figures of the last hours. */
  public Future<JsonObject> metrics(OrgContext org, UUID id) {
    return find(pool, org, id).compose(metrics::of);
  }

  /**
   * The shape of every action: in one transaction, lock-free read of the caller's container (404 if foreign),
   * the change, one timeline event and one activity row; then converge.
   */
  private Future<JsonObject> mutate(Principal principal, OrgContext org, UUID id, String eventType, String action, String ip,
                                    BiFunction<SqlConnection, ContainerRow, Future<String>> change) {
    return pool.withTransaction(conn -> find(conn, org, id).compose(row -> {
          if ("deleting".equals(row.status())) {
            return Future.failedFuture(ApiException.conflict("container_deleting", "the container is being deleted"));
          }
          return change.apply(conn, row).compose(message ->
              containers.event(conn, org.organizationId(), id, eventType, "platform", message, null, principal.userId())
                  .compose(v -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), action, "container",
                      id.toString(), new JsonObject().put("name", row.name()).put("change", message), ip)))
                  .compose(v -> containers.byId(conn, org.organizationId(), id)));
        }))
        .andThen(done -> converge(done.succeeded() ? done.result() : null))
        .map(ContainerRow::toJson);
  }

  private void converge(ContainerRow row) {
    if (row != null) {
      // the answer does not wait for Swarm; failures are recorded on the container by the reconciler
      reconciler.converge(row.id());
    }
  }

  private Future<ContainerRow> find(io.vertx.sqlclient.SqlClient client, OrgContext org, UUID id) {
    return containers.byId(client, org.organizationId(), id).compose(row -> row == null
        ? Future.failedFuture(ApiException.notFound("container"))
        : Future.succeededFuture(row));
  }

  private Future<Void> checkVolumes(SqlConnection conn, UUID organizationId, ContainerSpec spec) {
    List<UUID> ids = spec.volumes().stream().map(ContainerSpec.Mount::volumeId).toList();
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return containers.volumeNames(conn, organizationId, ids).compose(found -> found.size() == ids.size()
        ? Future.succeededFuture()
        : Future.failedFuture(ApiException.unprocessable("volume_not_found", "every volume must exist in this organization")));
  }
}
