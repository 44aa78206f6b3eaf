package io.skypanel.edge.routing;

import io.skypanel.common.events.OrderedReloads;
import io.skypanel.common.events.PlatformEvents;
import io.skypanel.common.events.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.UUID;

/**
 * Keeps a {@link RouteTable} equal to PostgreSQL: a full load at start, the changed container's routes as soon
 * as the control plane announces a change on {@link Topics#ROUTES_CHANGED} (Redis pub/sub, shared by every edge
 * replica), everything when the plan catalog (and so organizations' edge limits) changes, everything again as soon
 * as a lost event subscription is back (changes announced meanwhile were missed), and a periodic full resync that
 * repairs anything else a lost message left behind. Reloads run one after another in the order they were asked
 * for ({@link OrderedReloads}), so a task the control plane has already taken out of a route is never put back by
 * a read that started before it did.
 */
public final class RouteSync {

  private static final Logger LOG = LoggerFactory.getLogger(RouteSync.class);
  /** A route query stuck longer than this no longer holds later changes back (its late answer is dropped). */
  private static final Duration READ_LIMIT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Pool pool;
  private final PlatformEvents events;
  private final RouteTable table;
  private final RouteRepository routes;
  private final Runnable onReload;
  /** Reloads apply in the order they were asked for: an older read finishing late must not bring back a gone endpoint. */
  private final OrderedReloads<UUID> reloads;
  private long timer = -1;
  private volatile boolean stopped;

  /** @param onReload told after every reload, full or per container (metrics) */
  public RouteSync(Vertx vertx, Pool pool, PlatformEvents events, RouteTable table, RouteRepository routes, Runnable onReload) {
    this.routes = routes;
    this.vertx = vertx;
    this.onReload = onReload;
    this.pool = pool;
    this.events = events;
    this.table = table;
    this.reloads = new OrderedReloads<>(vertx, READ_LIMIT);
  }

  /** Subscribes first, then loads, so no change between the two is missed. */
  public Future<Void> start(long resyncMs) {
    events.onReconnect(v -> {
      if (!stopped) {
        LOG.info("event subscription restored; reloading every route");
        resync();
      }
    });
    return events.subscribe(Topics.ROUTES_CHANGED, this::changed)
        // a plan's edge limits apply to every route of every organization on it
        .compose(v -> events.subscribe(Topics.PLANS_CHANGED, event -> resync()))
        .compose(v -> resync())
        .onSuccess(v -> timer = vertx.setPeriodic(resyncMs, resyncMs, id -> resync()));
  }

  public void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  public Future<Void> resync() {
    return reloads.reloadAll(() -> routes.all(pool), all -> {
      table.replaceAll(all);
      onReload.run();
    }).onFailure(err -> LOG.warn("route resync failed; keeping the current table: {}", err.getMessage()));
  }

  private void changed(JsonObject event) {
    UUID containerId;
    try {
      containerId = UUID.fromString(event.getString("container_id"));
    } catch (RuntimeException e) {
      LOG.debug("ignoring a malformed route change: {}", event);
      return;
    }
    reloads.reload(containerId, () -> routes.forContainer(pool, containerId), found -> {
          if (LOG.isDebugEnabled()) {
            LOG.debug("routes of container {} now: {}", containerId, found.stream().map(r -> r.host() + " " + r.endpoints()).toList());
          }
          table.replaceContainer(containerId, found);
          onReload.run();
        })
        .onFailure(err -> LOG.warn("could not reload the routes of container {}: {}", containerId, err.getMessage()));
  }
}
