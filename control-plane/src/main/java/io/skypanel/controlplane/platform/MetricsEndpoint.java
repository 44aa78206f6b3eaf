package io.skypanel.controlplane.platform;

import io.skypanel.common.Platform;
import io.skypanel.common.auth.AuthenticationHandler;
import io.skypanel.common.errors.ApiException;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * Prometheus text at {@code /metrics}: on the API port for platform administrators' tokens, and without a
 * token on the separate admin port ({@code SKYPANEL_ADMIN_PORT}) that operators keep off the public network.
 */
public final class MetricsEndpoint {

  private MetricsEndpoint() {
  }

  /** Unauthenticated scrape handler, for the admin listener only. */
  public static Handler<RoutingContext> open(Platform platform) {
    return PrometheusScrapingHandler.create(platform.metrics().registry());
  }

  /** Mounts {@code GET /metrics} on the public API router behind an admin credential. */
  public static void mountForAdmins(Router router, Platform platform) {
    router.get("/metrics")
        .handler(new AuthenticationHandler(platform.authenticator()))
        .handler(ctx -> {
          if (AuthenticationHandler.principal(ctx).isPlatformAdmin()) {
            ctx.next();
          } else {
            ctx.fail(ApiException.forbidden("platform administrators only"));
          }
        })
        .handler(open(platform));
  }
}
