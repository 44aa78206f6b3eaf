package io.skypanel.controlplane.caas.edge;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.common.events.PlatformEvents;
import io.skypanel.common.events.Topics;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;

/**
 * The edge settings of a container or of an environment ({@link EdgeTarget}): maintenance mode, rate limit, body
 * limit, upstream timeout, health check path and HTTPS redirect. Stored on the target; a change is announced on
 * {@link Topics#ROUTES_CHANGED} for the workload the edge routes (the container, or the environment's web process)
 * so every edge replica reloads its routes at once. No redeploy: the edge applies them.
 */
public final class EdgeSettingsService {

  /** The settings kept in {@code edge_settings}; {@code maintenance} has its own column. */
  static final List<String> FIELDS = List.of("rate_limit_rps", "rate_limit_burst", "max_body_bytes", "timeout_ms",
      "health_check_path", "force_https");

  private static final Logger LOG = LoggerFactory.getLogger(EdgeSettingsService.class);

  private final Pool pool;
  private final PlatformEvents events;
  private final EdgeSettingsRepository repository = new EdgeSettingsRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public EdgeSettingsService(Pool pool, PlatformEvents events) {
    this.pool = pool;
    this.events = events;
  }

  public Future<JsonObject> get(OrgContext org, EdgeTarget target) {
    return repository.find(pool, org.organizationId(), target, false).map(stored -> view(found(stored, target)));
  }

  /** Merges {@code patch} (null resets a field) and announces the change to the edge. */
  public Future<JsonObject> update(Principal principal, OrgContext org, EdgeTarget target, JsonObject patch, String ip) {
    UUID[] workload = new UUID[1];
    return pool.withTransaction(conn -> repository.find(conn, org.organizationId(), target, true).compose(found -> {
          EdgeSettingsRepository.Stored stored = found(found, target);
          workload[0] = stored.workloadId();
          boolean maintenance = patch.containsKey("maintenance") ? Boolean.TRUE.equals(patch.getBoolean("maintenance")) : stored.maintenance();
          JsonObject settings = merged(stored.settings(), patch);
          JsonObject result = view(new EdgeSettingsRepository.Stored(stored.name(), maintenance, settings, stored.workloadId()));
          String resource = target.kind().resource();
          return repository.update(conn, org.organizationId(), target, maintenance, settings)
              .compose(v -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(),
                  target.kind().area() + "." + resource + ".edge.update", resource, target.id().toString(),
                  new JsonObject().put("name", stored.name()).put("changed", patch.fieldNames()), ip)))
              .map(v -> result);
        }))
        // nothing to reload before an environment's first deploy: its web process will be routed with the stored settings
        .onSuccess(v -> {
          if (workload[0] != null) {
            // a lost message is repaired by the edge routers' periodic resync
            events.publish(Topics.ROUTES_CHANGED, new JsonObject().put("container_id", workload[0].toString()))
                .onFailure(err -> LOG.debug("could not announce the edge settings of {}: {}", workload[0], err.getMessage()));
          }
        });
  }

  static JsonObject merged(JsonObject current, JsonObject patch) {
    JsonObject settings = current == null ? new JsonObject() : current.copy();
    for (String field : FIELDS) {
      if (patch.containsKey(field)) {
        Object value = patch.getValue(field);
        if (value == null) {
          settings.remove(field);
        } else {
          settings.put(field, value);
        }
      }
    }
    Integer rate = settings.getInteger("rate_limit_rps");
    Integer burst = settings.getInteger("rate_limit_burst");
    if (burst != null && rate == null) {
      throw ApiException.unprocessable("invalid_edge_settings", "rate_limit_burst needs rate_limit_rps");
    }
    if (burst != null && burst < rate) {
      throw ApiException.unprocessable("invalid_edge_settings", "rate_limit_burst must be at least rate_limit_rps");
    }
    return settings;
  }

  private static EdgeSettingsRepository.Stored found(EdgeSettingsRepository.Stored stored, EdgeTarget target) {
    if (stored == null) {
      throw ApiException.notFound(target.kind().resource());
    }
    return stored;
  }

  /** Every field present: unset ones as null, force_https as its effective value. */
  private static JsonObject view(EdgeSettingsRepository.Stored stored) {
    JsonObject settings = stored.settings() == null ? new JsonObject() : stored.settings();
    JsonObject view = new JsonObject().put("maintenance", stored.maintenance());
    for (String field : FIELDS) {
      view.put(field, settings.getValue(field));
    }
    view.put("force_https", !Boolean.FALSE.equals(settings.getBoolean("force_https")));
    return view;
  }
}
