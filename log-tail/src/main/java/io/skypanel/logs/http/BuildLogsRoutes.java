package io.skypanel.logs.http;

import io.skypanel.common.errors.ApiException;
import io.skypanel.logs.access.LogAccess;
import io.skypanel.logs.builds.BuildLogService;
import io.skypanel.logs.query.LogRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/paas/builds/{id}/logs}: a build's log as Server-Sent Events or a WebSocket, with the same access
 * rules, transports and resume ({@code Last-Event-ID}) as container logs. The stream closes after an {@code end}
 * event ({@code {"type":"end","status":...}}) once the build has ended; clients stop reconnecting on it.
 */
public final class BuildLogsRoutes {

  private final LogAccess access;
  private final BuildLogService builds;

  public BuildLogsRoutes(LogAccess access, BuildLogService builds) {
    this.access = access;
    this.builds = builds;
  }

  public void mount(Router router) {
    router.get("/api/paas/builds/:id/logs").handler(this::handle);
  }

  private void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    boolean websocket = "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE));
    if (websocket) {
      // the upgrade completes on the request's end; hold it back until authorization has finished
      request.pause();
    }
    boolean follow;
    String resume = request.getHeader("Last-Event-ID");
    if (resume == null || resume.isBlank()) {
      resume = request.getParam("last_event_id");
    }
    try {
      follow = LogRequest.bool("follow", request.getParam("follow"), true);
      if (resume != null && !BuildLogService.validCursor(resume.strip())) {
        throw ApiException.validation("Last-Event-ID is not an id this stream sent", null);
      }
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    String cursor = resume == null ? null : resume.strip();
    String organization = request.getHeader(LogsRoutes.ORG_HEADER) != null
        ? request.getHeader(LogsRoutes.ORG_HEADER) : request.getParam(LogsRoutes.ORG_PARAM);
    access.authorize(LogsRoutes.bearer(request), organization, "build", ctx.pathParam("id"), builds.rows()::find)
        .compose(build -> builds.open(build, cursor, follow))
        .onSuccess(session -> {
          if (websocket) {
            request.toWebSocket().onComplete(upgraded -> {
              if (upgraded.succeeded()) {
                session.start(new WebSocketSink(upgraded.result()));
              } else {
                // never started: the session's end releases what it holds
                session.start(new ClosedSink());
                if (!ctx.response().headWritten()) {
                  ctx.fail(upgraded.cause());
                }
              }
            });
          } else if (request.connection() == null || ctx.response().closed()) {
            session.start(new ClosedSink());
          } else {
            session.start(SseSink.open(ctx.response()));
          }
        })
        .onFailure(ctx::fail);
  }
}
