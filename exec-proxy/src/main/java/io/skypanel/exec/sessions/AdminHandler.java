package io.skypanel.exec.sessions;

import io.skypanel.common.auth.AuthenticationHandler;
import io.skypanel.common.errors.ApiException;
import io.skypanel.exec.access.ContainerAccess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;

/**
 * Platform administrators only: {@code GET /api/admin/exec/sessions} lists the open sessions of every replica,
 * {@code DELETE /api/admin/exec/sessions/{id}} kills one wherever it runs (202; the session ends within moments
 * with status {@code killed}).
 */
public final class AdminHandler {

  private final SessionRegistry registry;

  public AdminHandler(SessionRegistry registry) {
    this.registry = registry;
  }

  /** Behind {@link AuthenticationHandler}: platform admins (with the admin scope for API tokens) pass. */
  public void requireAdmin(RoutingContext ctx) {
    if (!AuthenticationHandler.principal(ctx).isPlatformAdmin()) {
      ctx.fail(ApiException.forbidden("platform administrators only"));
      return;
    }
    ctx.next();
  }

  public void list(RoutingContext ctx) {
    registry.list()
        .map(sessions -> {
          sessions.sort(Comparator.comparing((JsonObject session) -> Instant.parse(session.getString("started_at"))));
          return new JsonObject().put("data", new JsonArray(sessions));
        })
        .onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json").end(body.encode()))
        .onFailure(ctx::fail);
  }

  public void kill(RoutingContext ctx) {
    UUID id = ContainerAccess.uuid(ctx.pathParam("id"), "session id");
    registry.kill(id)
        .onSuccess(found -> {
          if (!found) {
            ctx.fail(ApiException.notFound("exec session"));
            return;
          }
          ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("id", id.toString()).put("status", "killing").encode());
        })
        .onFailure(ctx::fail);
  }
}
