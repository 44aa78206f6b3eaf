package io.skypanel.controlplane.paas.webhooks;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Api.Access;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Idempotency;
import io.skypanel.common.errors.ApiException;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * Routes of {@code /api/paas/apps/{appId}/webhooks} (viewers list, developers create and delete) and the receiver
 * {@code POST /api/paas/hooks/{webhookId}}, which takes no API credentials: the provider's signature over the raw
 * body is the proof (see {@link WebhookReceiver}).
 */
public final class WebhooksFeature implements ApiFeature {

  private final WebhookService webhooks;
  private final WebhookReceiver receiver;
  private final Idempotency idempotency;

  public WebhooksFeature(WebhookService webhooks, WebhookReceiver receiver, Idempotency idempotency) {
    this.webhooks = webhooks;
    this.receiver = receiver;
    this.idempotency = idempotency;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.tenant(builder, "listWebhooks", OrgRole.VIEWER, Access.READ, ctx ->
        Api.respond(ctx, 200, webhooks.list(Api.tenant(ctx), Api.pathId(ctx, "appId")), r -> r));
    api.tenant(builder, "createWebhook", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.respond(ctx, 201, webhooks.create(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "appId"), Api.body(ctx),
            Api.clientIp(ctx)), r -> r)));
    api.tenant(builder, "deleteWebhook", OrgRole.DEVELOPER, Access.WRITE, idempotency.wrap(ctx ->
        Api.noContent(ctx, webhooks.delete(Api.principal(ctx), Api.tenant(ctx), Api.pathId(ctx, "appId"), Api.pathId(ctx, "webhookId"),
            Api.clientIp(ctx)))));
    api.open(builder, "receiveWebhook", ctx -> {
      // the raw bytes as sent: the signature covers them, not a re-encoding of the parsed JSON
      Buffer raw = ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer();
      if (!isJsonObject(raw)) {
        // refused before the hook is looked up, like every operation's body
        ctx.fail(ApiException.validation("the body must be a JSON object (the provider's push event)", null));
        return;
      }
      receiver.receive(Api.pathId(ctx, "webhookId"), ctx.request().headers(), raw).onComplete(done -> {
        if (done.failed()) {
          ctx.fail(done.cause());
        } else {
          ctx.response().setStatusCode(done.result().status()).putHeader("Content-Type", "application/json").end(done.result().body().encode());
        }
      });
    });
  }

  private static boolean isJsonObject(Buffer raw) {
    try {
      Object value = io.vertx.core.json.Json.decodeValue(raw);
      return value instanceof io.vertx.core.json.JsonObject;
    } catch (io.vertx.core.json.DecodeException e) {
      return false;
    }
  }
}
