package io.skypanel.logs.http;

import io.skypanel.common.web.Headers;
import io.skypanel.common.errors.ApiException;
import io.skypanel.logs.LogsOptions;
import io.skypanel.logs.access.LogAccess;
import io.skypanel.logs.access.LogTarget;
import io.skypanel.logs.query.LogRequest;
import io.skypanel.logs.stream.LogStreamService;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/caas/containers/{id}/logs}, {@code GET /api/paas/environments/{id}/logs} and
 * {@code GET /api/paas/addons/{id}/logs} (the add-on's server, one service like a container): Server-Sent
 * Events, or a WebSocket when the request asks for an upgrade. Parse, authorize, open the stream, and only
 * then answer; every failure before that is the usual JSON error. An environment's stream merges all its
 * processes (optionally one, {@code ?process=web}); each of its lines names its {@code process}.
 */
public final class LogsRoutes {

  /** Browsers' EventSource and WebSocket cannot set headers; they name the organization here instead. */
  public static final String ORG_HEADER = Headers.ORGANIZATION;
  public static final String ORG_PARAM = "organization_id";

  private final LogAccess access;
  private final LogStreamService streams;
  private final LogsOptions options;

  public LogsRoutes(LogAccess access, LogStreamService streams, LogsOptions options) {
    this.access = access;
    this.streams = streams;
    this.options = options;
  }

  public void mount(Router router) {
    router.get("/api/caas/containers/:id/logs").handler(ctx -> handle(ctx, LogTarget.Kind.CONTAINER));
    router.get("/api/paas/environments/:id/logs").handler(ctx -> handle(ctx, LogTarget.Kind.ENVIRONMENT));
    router.get("/api/paas/addons/:id/logs").handler(ctx -> handle(ctx, LogTarget.Kind.ADDON));
  }

  private void handle(RoutingContext ctx, LogTarget.Kind kind) {
    HttpServerRequest request = ctx.request();
    boolean websocket = "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE));
    if (websocket) {
      // the upgrade completes on the request's end; hold it back until authorization has finished
      request.pause();
    }
    LogRequest parsed;
    try {
      parsed = LogRequest.parse(request.params(), request.getHeader("Last-Event-ID"), options.defaultLimit(), options.maxLimit());
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    if (kind != LogTarget.Kind.ENVIRONMENT && parsed.process() != null) {
      ctx.fail(ApiException.validation("process applies to environment logs only", null));
      return;
    }
    String organization = request.getHeader(ORG_HEADER) != null ? request.getHeader(ORG_HEADER) : request.getParam(ORG_PARAM);
    access.authorize(bearer(request), organization, kind, ctx.pathParam("id"))
        .compose(target -> streams.open(target.selector(parsed.stream(), parsed.filter(), parsed.process()), parsed))
        .onSuccess(session -> {
          if (websocket) {
            request.toWebSocket().onComplete(upgraded -> {
              if (upgraded.succeeded()) {
                session.start(new WebSocketSink(upgraded.result()));
              } else {
                session.cancel();
                if (!ctx.response().headWritten()) {
                  ctx.fail(upgraded.cause());
                }
              }
            });
          } else if (request.connection() == null || ctx.response().closed()) {
            session.cancel();
          } else {
            session.start(SseSink.open(ctx.response()));
          }
        })
        .onFailure(ctx::fail);
  }

  static String bearer(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return header.substring(7).trim();
  }
}
