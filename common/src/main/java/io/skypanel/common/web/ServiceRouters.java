package io.skypanel.common.web;

import io.skypanel.common.Platform;
import io.skypanel.common.errors.FailureHandler;
import io.skypanel.common.health.ReadinessChecks;
import io.vertx.ext.web.Router;

/**
 * The routes every service shares: request ids and the client address first, health probes, then a JSON 404 and the
 * one failure handler.
 */
public final class ServiceRouters {

  private ServiceRouters() {
  }

  /** A router with request ids and {@code /healthz}, {@code /readyz}; add the service's own routes, then call {@link #seal}. */
  public static Router withHealth(Platform platform, String service) {
    Router router = Router.router(platform.vertx());
    router.route().handler(new RequestIdHandler());
    router.route().handler(new ClientAddress(TrustedProxies.from(platform.settings())));
    ReadinessChecks checks = platform.readiness(service);
    router.get("/healthz").handler(checks.liveness());
    router.get("/readyz").handler(checks.readiness());
    return router;
  }

  /** Unmatched requests become a JSON 404; every failure is written by {@link FailureHandler}. */
  public static Router seal(Router router) {
    router.route().last().handler(ctx -> ctx.fail(404));
    router.route().failureHandler(new FailureHandler());
    return router;
  }
}
