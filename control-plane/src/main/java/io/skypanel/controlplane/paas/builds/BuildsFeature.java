package io.skypanel.controlplane.paas.builds;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Idempotency;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.util.UUID;

/**
 * Routes of source builds (Heroku's Build API): viewers read builds and logs, developers upload and cancel. The
 * upload ({@code createBuild}) takes a tarball larger than the API's body limit and in media types the OpenAPI
 * validator cannot read, so it is routed by {@link SourceUpload} outside the contract ({@link #mountStreamed}).
 * {@code ?follow=true} on the log streams it as server-sent events until the build ends.
 */
public final class BuildsFeature implements ApiFeature {

  /** The operation routed outside the contract (marked {@code x-skypanel-streamed} in the document). */
  public static final String UPLOAD_OPERATION = "createBuild";

  private final BuildService builds;
  private final SourceUpload upload;
  private final Idempotency idempotency;

  public BuildsFeature(BuildService builds, SourceUpload upload, Idempotency idempotency) {
    this.builds = builds;
    this.upload = upload;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listBuilds", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, builds.list(Api.tenant(ctx), Api.pathId(ctx, "appId"), Cursor.decode(Api.query(ctx, "cursor")),
            Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.tenant(builder, "getBuild", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, builds.get(Api.tenant(ctx), build(ctx)), r -> r));
    api.tenant(builder, "getBuildLog", OrgRole.VIEWER, Access.READ, this::log);
    api.tenant(builder, "cancelBuild", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 200, builds.cancel(Api.principal(ctx), Api.tenant(ctx), build(ctx), Api.clientIp(ctx)), r -> r)));
  }

  @Override
  public boolean mountStreamed(String operationId, Route route, Api api) {
    if (!UPLOAD_OPERATION.equals(operationId)) {
      return false;
    }
    upload.mount(route, api, idempotency);
    return true;
  }

  private void log(RoutingContext ctx) {
    if (!"true".equals(Api.query(ctx, "follow"))) {
      builds.log(Api.tenant(ctx), build(ctx)).onComplete(done -> {
        if (done.failed()) {
          ctx.fail(done.cause());
        } else {
          ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(done.result());
        }
      });
      return;
    }
    UUID id = build(ctx);
    builds.live(Api.tenant(ctx), id)
        .onComplete(done -> {
          if (done.failed()) {
            ctx.fail(done.cause());
            return;
          }
          HttpServerResponse response = ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
              .putHeader("Cache-Control", "no-cache");
          LiveLog live = done.result();
          if (live == null) {
            builds.log(Api.tenant(ctx), id).onComplete(stored -> {
              if (stored.succeeded()) {
                for (String line : stored.result().split("\n", -1)) {
                  if (!line.isEmpty()) {
                    response.write(event(null, line));
                  }
                }
              }
              response.end(event("end", "ended"));
            });
            return;
          }
          var context = ctx.vertx().getOrCreateContext();
          LiveLog.Follower follower = new LiveLog.Follower(
              line -> context.runOnContext(v -> {
                if (!response.ended()) {
                  response.write(event(null, line));
                }
              }),
              () -> context.runOnContext(v -> {
                if (!response.ended()) {
                  response.end(event("end", "ended"));
                }
              }));
          boolean following = live.follow(follower, backlog -> context.runOnContext(v ->
              backlog.forEach(line -> response.write(event(null, line)))));
          if (!following) {
            context.runOnContext(v -> response.end(event("end", "ended")));
          }
          response.closeHandler(v -> live.unfollow(follower));
        });
  }

  private static String event(String name, String data) {
    return (name == null ? "" : "event: " + name + "\n") + "data: " + data + "\n\n";
  }

  private static UUID build(RoutingContext ctx) {
    return Api.pathId(ctx, "buildId");
  }
}
