package io.skypanel.edge.gateway;

import io.skypanel.common.events.PlatformEvents;
import io.skypanel.common.events.Topics;
import io.skypanel.common.gateway.EdgeGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ProxyOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this edge process's {@link EdgeGateway} in step with the organizations: joins a new organization's
 * network as soon as the control plane announces it ({@code networks.changed}) and re-checks every network and
 * the container itself periodically, so a lost message or a gateway removed behind the platform's back is
 * repaired. Until the gateway answers, overlay routes have no way in and the edge says so (502, reachability).
 */
public final class GatewayLink {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayLink.class);

  private final Vertx vertx;
  private final EdgeGateway gateway;
  private final PlatformEvents events;
  private long timer = -1;
  private boolean syncing;
  private boolean failing;

  public GatewayLink(Vertx vertx, EdgeGateway gateway, PlatformEvents events) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.events = events;
  }

  /** The relay to dial overlay endpoints through; null while the gateway is not up. */
  public ProxyOptions proxyOptions() {
    return gateway.proxyOptions();
  }

  /**
   * Subscribes to network announcements and starts the gateway; a gateway that cannot start yet (no engine, no
   * base image) does not stop the edge: the periodic sync keeps trying and logs the reason once.
   */
  public Future<Void> start(long syncIntervalMs) {
    timer = vertx.setPeriodic(syncIntervalMs, syncIntervalMs, id -> sync());
    return events.subscribe(Topics.NETWORKS_CHANGED, event -> {
          String networkId = event.getString("network_id");
          if (networkId != null && gateway.proxyOptions() != null) {
            gateway.join(networkId).onFailure(err -> LOG.warn("edge gateway could not join network {}: {}", networkId, err.getMessage()));
          }
        })
        .compose(v -> sync());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Ensures the container runs, answers and has joined every organization network (each step idempotent). */
  Future<Void> sync() {
    if (syncing) {
      return Future.succeededFuture();
    }
    syncing = true;
    return gateway.start().<Void>mapEmpty()
        .onSuccess(v -> {
          if (failing) {
            failing = false;
            LOG.info("edge gateway {} is up again", gateway.name());
          }
        })
        .recover(err -> {
          if (!failing) {
            failing = true;
            LOG.warn("edge gateway {} is not available; overlay routes answer 502 until it is: {}", gateway.name(), err.getMessage());
          }
          return Future.succeededFuture();
        })
        .eventually(() -> {
          syncing = false;
          return Future.succeededFuture();
        });
  }
}
