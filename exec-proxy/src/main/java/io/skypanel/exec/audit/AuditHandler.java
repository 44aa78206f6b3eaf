package io.skypanel.exec.audit;

import io.skypanel.common.auth.AuthenticationHandler;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.exec.access.ContainerAccess;
import io.skypanel.exec.access.Membership;
import io.skypanel.common.auth.OrgRole;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * {@code GET /api/caas/containers/{id}/exec-audit} (developer and up: the container's sessions, newest first,
 * paged with {@code limit} and {@code cursor}) and {@code GET .../exec-audit/{auditId}/transcript} (admin and up:
 * the gzip asciicast recording). The trail outlives the container: a deleted container's id still lists its rows.
 */
public final class AuditHandler {

  private final ContainerAccess access;
  private final AuditRepository audit;

  public AuditHandler(ContainerAccess access, AuditRepository audit) {
    this.access = access;
    this.audit = audit;
  }

  public void list(RoutingContext ctx) {
    UUID containerId = ContainerAccess.uuid(ctx.pathParam("id"), "container id");
    AuditCursor cursor = AuditCursor.decode(ctx.request().getParam("cursor"));
    int limit = AuditCursor.limit(ctx.request().getParam("limit"));
    member(ctx, OrgRole.DEVELOPER, containerId)
        .compose(membership -> audit.page(membership.organizationId(), containerId,
            cursor == null ? null : cursor.startedAt(), cursor == null ? null : cursor.id(), limit + 1))
        .onSuccess(rows -> ctx.response().putHeader("Content-Type", "application/json").end(page(rows, limit).encode()))
        .onFailure(ctx::fail);
  }

  public void transcript(RoutingContext ctx) {
    UUID containerId = ContainerAccess.uuid(ctx.pathParam("id"), "container id");
    UUID auditId = ContainerAccess.uuid(ctx.pathParam("auditId"), "audit id");
    member(ctx, OrgRole.ADMIN, containerId)
        .compose(membership -> audit.transcript(membership.organizationId(), containerId, auditId))
        .onSuccess(transcript -> {
          if (transcript == null) {
            ctx.fail(ApiException.notFound("exec session"));
          } else if (transcript.length() == 0) {
            ctx.fail(new ApiException(404, "no_transcript",
                "this session was not recorded (the organization's isolation tier did not record exec sessions, or it is still running)"));
          } else {
            ctx.response()
                .putHeader("Content-Type", "application/gzip")
                .putHeader("Content-Disposition", "attachment; filename=\"exec-" + auditId + ".cast.gz\"")
                .end(transcript);
          }
        })
        .onFailure(ctx::fail);
  }

  /** Membership (404), role (403), and a container the organization has or had (404). */
  private Future<Membership> member(RoutingContext ctx, OrgRole role, UUID containerId) {
    Principal principal = AuthenticationHandler.principal(ctx);
    return access.membership(principal, ctx.request().getHeader(ContainerAccess.ORGANIZATION_HEADER)).compose(membership -> {
      if (!membership.role().atLeast(role)) {
        return Future.failedFuture(ApiException.forbidden("this action needs the " + role.label() + " role in the organization"));
      }
      return access.repository().container(containerId, membership.organizationId())
          .compose(container -> container != null ? Future.succeededFuture(true) : audit.any(membership.organizationId(), containerId))
          .compose(known -> known ? Future.succeededFuture(membership) : Future.failedFuture(ApiException.notFound("container")));
    });
  }

  private static JsonObject page(List<JsonObject> rows, int limit) {
    boolean more = rows.size() > limit;
    List<JsonObject> page = more ? rows.subList(0, limit) : rows;
    String next = null;
    if (more) {
      JsonObject last = page.get(page.size() - 1);
      next = new AuditCursor(OffsetDateTime.parse(last.getString("started_at")), UUID.fromString(last.getString("id"))).encode();
    }
    return new JsonObject().put("data", new JsonArray(List.copyOf(page))).put("next_cursor", next);
  }
}
