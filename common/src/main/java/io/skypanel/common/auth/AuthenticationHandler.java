package io.skypanel.common.auth;

import io.skypanel.common.errors.ApiException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** Requires {@code Authorization: Bearer <token>} and stores the {@link Principal} on the routing context. */
public final class AuthenticationHandler implements Handler<RoutingContext> {

  private static final String KEY = "skypanel.principal";

  private final Authenticator authenticator;

  public AuthenticationHandler(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ctx.fail(ApiException.unauthorized("authentication required: send Authorization: Bearer <token>"));
      return;
    }
    authenticator.authenticate(header.substring(7).trim()).onComplete(result -> {
      if (result.succeeded()) {
        ctx.put(KEY, result.result());
        ctx.next();
      } else {
        ctx.fail(result.cause());
      }
    });
  }

  /** The authenticated caller; only valid behind this handler. */
  public static Principal principal(RoutingContext ctx) {
    Principal principal = ctx.get(KEY);
    if (principal == null) {
      throw ApiException.unauthorized("authentication required");
    }
    return principal;
  }
}
