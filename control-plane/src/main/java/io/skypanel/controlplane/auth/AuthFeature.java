package io.skypanel.controlplane.auth;

import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.api.Cursor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.util.List;

/** Routes of {@code /api/auth}: registration, login, refresh, the current user and API tokens. */
public final class AuthFeature implements ApiFeature {

  private final AuthService auth;

  public AuthFeature(AuthService auth) {
    this.auth = auth;
  }

  @Override
  public void mount(RouterBuilder builder, Api api) {
    api.open(builder, "register", ctx -> {
      JsonObject body = Api.body(ctx);
      Api.respond(ctx, 201, auth.register(body.getString("email"), body.getString("password"), body.getString("name"), Api.clientIp(ctx)), r -> r);
    });
    api.open(builder, "login", ctx -> {
      JsonObject body = Api.body(ctx);
      Api.respond(ctx, 200, auth.login(body.getString("email"), body.getString("password"), Api.clientIp(ctx)), r -> r);
    });
    api.open(builder, "refreshToken", ctx ->
        Api.respond(ctx, 200, auth.refresh(Api.body(ctx).getString("refresh_token"), Api.clientIp(ctx)), r -> r));
    api.authenticated(builder, "getCurrentUser", false, ctx ->
        Api.respond(ctx, 200, auth.currentUser(Api.principal(ctx)), r -> r));
    api.authenticated(builder, "createApiToken", true, ctx -> {
      JsonObject body = Api.body(ctx);
      JsonArray scopes = body.getJsonArray("scopes");
      List<String> requested = scopes == null ? null : scopes.stream().map(Object::toString).toList();
      Api.respond(ctx, 201, auth.createApiToken(Api.principal(ctx), body.getString("name"), requested,
          body.getInteger("expires_in_days"), Api.clientIp(ctx)), r -> r);
    });
    api.authenticated(builder, "listApiTokens", false, ctx ->
        Api.respond(ctx, 200, auth.listApiTokens(Api.principal(ctx), Cursor.decode(Api.query(ctx, "cursor")),
            Cursor.limit(Api.query(ctx, "limit"))), r -> r));
    api.authenticated(builder, "deleteApiToken", true, ctx ->
        Api.noContent(ctx, auth.revokeApiToken(Api.principal(ctx), Api.pathId(ctx, "tokenId"), Api.clientIp(ctx))));
  }
}
