package io.skypanel.controlplane.paas.addons;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.paas.addons.engines.AddonEngine;
import io.skypanel.controlplane.paas.environments.EnvironmentRepository;
import io.skypanel.controlplane.paas.environments.EnvironmentRow;
import io.skypanel.controlplane.paas.releases.ReleaseService;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Add-ons of an app: provisioning (202, {@code provisioning} until the reconciler sees the server healthy), reading,
 * resizing within the same service kind, and deletion (202, {@code deprovisioning}; {@link AddonRemoval} finishes it).
 * The environment an add-on is created in is attached to it from the start.
 */
public final class AddonService {

  private static final Logger LOG = LoggerFactory.getLogger(AddonService.class);
  private static final Pattern NAME = Pattern.compile("[a-z]([a-z0-9-]{0,38}[a-z0-9])?");

  private final Pool pool;
  private final AddonRuntime runtime;
  private final AddonReleases releases;
  private final AddonRemoval removal;
  private final QuotaService quotas;
  private final AddonRepository addons = new AddonRepository();
  private final AddonPlanRepository plans = new AddonPlanRepository();
  private final EnvironmentRepository environments = new EnvironmentRepository();
  private final ActivityRepository activity = new ActivityRepository();

  AddonService(Pool pool, AddonRuntime runtime, AddonReleases releases, AddonRemoval removal, QuotaService quotas) {
    this.pool = pool;
    this.runtime = runtime;
    this.releases = releases;
    this.removal = removal;
    this.quotas = quotas;
  }

  public Future<JsonObject> create(Principal principal, OrgContext org, UUID environmentId, JsonObject body, String ip) {
    String planRef = body.getString("plan");
    String givenName = body.getString("name");
    if (planRef == null || planRef.isBlank()) {
      return Future.failedFuture(ApiException.validation("plan is required", null));
    }
    if (givenName != null && !NAME.matcher(givenName).matches()) {
      return Future.failedFuture(ApiException.validation("name must be lowercase letters, digits and dashes, starting with a letter (at most 40)", null));
    }
    List<ReleaseService.Cut> cuts = new ArrayList<>();
    return pool.withTransaction(conn -> environment(conn, org, environmentId).compose(env -> plan(conn, planRef).compose(plan -> {
          AddonEngine engine = runtime.engine(plan.getString("service"));
          if (engine.image(plan.getString("version")) == null) {
            return Future.failedFuture(ApiException.unprocessable("unknown_version", plan.getString("service") + " " + plan.getString("version")
                + " is not offered"));
          }
          String name = givenName != null ? givenName : plan.getString("service") + "-" + UUID.randomUUID().toString().substring(0, 8);
          // checked in the transaction that inserts, before anything exists on the engine
          return quotas.checkNewAddon(conn, org.organizationId(), plan.getInteger("memory_mb"), plan.getInteger("storage_gb"))
              .compose(ok -> addons.varsInApp(conn, env.appId()))
              .compose(taken -> addons.insert(conn, org.organizationId(), env.appId(), env.id(), name, UUID.fromString(plan.getString("id")),
                  engine.service(), AddonVariables.choose(engine.urlVariable(), name, taken), runtime.seal(engine.generateCredentials()),
                  principal.userId()))
              .compose(id -> id == null
                  ? Future.failedFuture(ApiException.conflict("name_taken", "the app already has an add-on named '" + name + "'"))
                  : addons.attach(conn, id, env.id(), org.organizationId(), principal.userId())
                      .compose(v -> activity.insert(conn, entry(principal, org, "paas.addon.create", id, new JsonObject().put("name", name)
                          .put("plan", plan.getString("slug")).put("environment_id", env.id().toString()), ip)))
                      .compose(v -> addons.byIdAnyOrganization(conn, id)));
        })))
        // the runtime objects exist before the environment rolls, so its new tasks can join the network and mount the URL
        .compose(addon -> runtime.ensure(addon)
            .compose(ids -> addons.setRuntime(pool, addon.id(), ids.serviceId(), ids.networkId(), ids.passwordSecretId(), ids.urlSecretId()))
            .compose(v -> pool.withTransaction(conn -> addons.lock(conn, addon.id())
                .compose(x -> releases.cut(conn, org.organizationId(), List.of(addon.environmentId()),
                    "Attach add-on " + addon.name() + " as " + addon.varName(), principal.userId()))
                .map(list -> cuts.addAll(list))))
            .map(v -> {
              releases.afterCommit(cuts);
              return addon;
            })
            .recover(err -> {
              LOG.warn("provisioning add-on {} failed: {}", addon.id(), err.getMessage(), err);
              return addons.setStatus(pool, addon.id(), "failed", "provisioning failed: " + err.getMessage()).map(addon);
            }))
        .compose(addon -> get(org, addon.id()));
  }

  public Future<JsonObject> listByEnvironment(OrgContext org, UUID environmentId) {
    return environment(pool, org, environmentId).compose(env -> addons.attachedTo(pool, org.organizationId(), env.id()))
        .compose(this::page);
  }

  public Future<JsonObject> listByApp(OrgContext org, UUID appId) {
    return addons.appExists(pool, org.organizationId(), appId).compose(exists -> exists
        ? addons.byApp(pool, org.organizationId(), appId).compose(this::page)
        : Future.failedFuture(ApiException.notFound("app")));
  }

  public Future<JsonObject> get(OrgContext org, UUID id) {
    return find(pool, org, id).compose(this::view);
  }

  /** Resizes to another plan of the same service kind (422 otherwise); the volume and data stay. */
  public Future<JsonObject> update(Principal principal, OrgContext org, UUID id, JsonObject body, String ip) {
    String planRef = body.getString("plan");
    if (planRef == null || planRef.isBlank()) {
      return Future.failedFuture(ApiException.validation("plan is required", null));
    }
    return pool.withTransaction(conn -> find(conn, org, id).compose(addon -> plan(conn, planRef).compose(plan -> {
          if (!addon.service().equals(plan.getString("service"))) {
            return Future.failedFuture(ApiException.unprocessable("plan_service_mismatch", "a " + addon.service() + " add-on cannot move to a "
                + plan.getString("service") + " plan"));
          }
          if (!addon.version().equals(plan.getString("version"))) {
            return Future.failedFuture(ApiException.unprocessable("plan_version_mismatch", "the plan runs version " + plan.getString("version")
                + ", the add-on " + addon.version()));
          }
          if ("deprovisioning".equals(addon.status())) {
            return Future.failedFuture(ApiException.conflict("addon_deprovisioning", "the add-on is being removed"));
          }
          return plans.byId(conn, addon.planId())
              .compose(current -> quotas.checkAddonResize(conn, org.organizationId(), current == null ? 0 : current.getInteger("storage_gb"),
                  plan.getInteger("memory_mb"), plan.getInteger("storage_gb")))
              .compose(ok -> addons.setPlan(conn, addon.id(), UUID.fromString(plan.getString("id"))))
              .compose(v -> activity.insert(conn, entry(principal, org, "paas.addon.resize", id, new JsonObject().put("plan", plan.getString("slug")), ip)))
              .compose(v -> addons.byId(conn, org.organizationId(), id));
        })))
        .compose(resized -> runtime.update(resized).map(resized))
        .compose(this::view);
  }

  /** Marks the add-on deprovisioning; {@link AddonRemoval} runs the hook, detaches and removes everything. */
  public Future<JsonObject> delete(Principal principal, OrgContext org, UUID id, boolean skipFinalBackup, String ip) {
    return pool.withTransaction(conn -> find(conn, org, id).compose(addon -> addons.markDeprovisioning(conn, addon.id(), skipFinalBackup)
            .compose(v -> activity.insert(conn, entry(principal, org, "paas.addon.delete", id,
                new JsonObject().put("name", addon.name()).put("skip_final_backup", skipFinalBackup), ip)))
            .compose(v -> addons.byId(conn, org.organizationId(), id))))
        .onSuccess(addon -> removal.start(addon, skipFinalBackup))
        .compose(this::view);
  }

  Future<Addon> find(SqlClient client, OrgContext org, UUID id) {
    return addons.byId(client, org.organizationId(), id).compose(addon -> addon == null
        ? Future.failedFuture(ApiException.notFound("add-on"))
        : Future.succeededFuture(addon));
  }

  Future<EnvironmentRow> environment(SqlClient client, OrgContext org, UUID id) {
    return environments.byId(client, org.organizationId(), id, client instanceof io.vertx.sqlclient.SqlConnection).compose(env -> env == null
        ? Future.failedFuture(ApiException.notFound("environment"))
        : Future.succeededFuture(env));
  }

  Future<JsonObject> view(Addon addon) {
    return addons.environments(pool, addon.id()).map(ids -> addon.toJson(new JsonArray(ids.stream().map(UUID::toString).toList())));
  }

  private Future<JsonObject> page(List<Addon> list) {
    return Future.all(list.stream().map(this::view).toList())
        .map(all -> new JsonObject().put("data", new JsonArray(all.<JsonObject>list())));
  }

  private Future<JsonObject> plan(SqlClient client, String ref) {
    return plans.choosable(client, ref).compose(plan -> plan == null
        ? Future.failedFuture(ApiException.unprocessable("unknown_plan", "there is no active add-on plan '" + ref + "'"))
        : Future.succeededFuture(plan));
  }

  static ActivityEntry entry(Principal principal, OrgContext org, String action, UUID addonId, JsonObject details, String ip) {
    return new ActivityEntry(org.organizationId(), principal.userId(), action, "addon", addonId.toString(), details, ip);
  }
}
