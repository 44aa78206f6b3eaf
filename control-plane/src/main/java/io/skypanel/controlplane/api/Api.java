package io.skypanel.controlplane.api;

import io.skypanel.common.Platform;
import io.skypanel.common.auth.AuthenticationHandler;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.common.web.ClientAddress;
import io.skypanel.common.web.JsonBodies;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.skypanel.common.auth.OrgRole;
import io.skypanel.controlplane.tenancy.TenantResolver;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

import java.util.UUID;
import java.util.function.Function;

/**
 * Route plumbing shared by the features: authentication, tenant and role checks, reading validated input,
 * and writing results. Handlers stay thin: parse here, call a service, write here.
 */
public final class Api {

  private static final String TENANT_KEY = "skypanel.tenant";

  private final Platform platform;
  private final AuthenticationHandler authentication;
  private final TenantResolver tenants;

  public Api(Platform platform) {
    this.platform = platform;
    this.authentication = new AuthenticationHandler(platform.authenticator());
    this.tenants = new TenantResolver(platform.pool());
  }

  public Platform platform() {
    return platform;
  }

  /** An operation anyone may call (registration, login). */
  public OpenAPIRoute open(RouterBuilder builder, String operationId, Handler<RoutingContext> handler) {
    return route(builder, operationId).addHandler(handler);
  }

  /** An operation for any authenticated caller; {@code write} operations also need the write scope. */
  public OpenAPIRoute authenticated(RouterBuilder builder, String operationId, boolean write, Handler<RoutingContext> handler) {
    return route(builder, operationId).addHandler(authentication).addHandler(ctx -> {
      if (write && !AuthenticationHandler.principal(ctx).canWrite()) {
        ctx.fail(ApiException.forbidden("this token is read-only"));
        return;
      }
      ctx.next();
    }).addHandler(handler);
  }

  /**
   * A tenant operation: resolves the organization from {@code X-Organization-Id} (or the caller's personal
   * one) and requires {@code role}; operations that change anything also need the token's write scope.
   */
  public OpenAPIRoute tenant(RouterBuilder builder, String operationId, OrgRole role, Access access, Handler<RoutingContext> handler) {
    return member(builder, operationId, role, access,
        ctx -> tenants.resolve(principal(ctx), ctx.request().getHeader(TenantResolver.HEADER)), handler);
  }

  /**
   * An operation on {@code /api/organizations/{organizationId}/...}: the organization comes from the path and
   * the caller must be a member with at least {@code role}.
   */
  public OpenAPIRoute organization(RouterBuilder builder, String operationId, OrgRole role, Access access, Handler<RoutingContext> handler) {
    return member(builder, operationId, role, access, ctx -> tenants.membership(pathId(ctx, "organizationId"), principal(ctx).userId())
        .compose(context -> context == null ? Future.failedFuture(ApiException.notFound("organization")) : Future.succeededFuture(context)), handler);
  }

  /** Whether an operation only reads or also changes state (which needs the token's write scope). */
  public enum Access { READ, WRITE }

  /**
   * Checks in the order that leaks nothing: membership first (404 for foreign and unknown alike), then the
   * role (403), then the token's write scope (403).
   */
  private OpenAPIRoute member(RouterBuilder builder, String operationId, OrgRole role, Access access,
                              Function<RoutingContext, Future<OrgContext>> resolve, Handler<RoutingContext> handler) {
    return route(builder, operationId).addHandler(authentication).addHandler(memberCheck(role, access, resolve)).addHandler(handler);
  }

  /**
   * A tenant operation routed outside the contract (a streamed body the OpenAPI validator cannot read, see
   * {@code x-skypanel-streamed} in {@code ControlPlaneVerticle}): the same authentication, tenant, role and scope
   * checks in the same order, on a plain route; the caller adds what reads the body after them.
   */
  public io.vertx.ext.web.Route tenant(io.vertx.ext.web.Route route, OrgRole role, Access access) {
    return route.handler(authentication).handler(memberCheck(role, access,
        ctx -> tenants.resolve(principal(ctx), ctx.request().getHeader(TenantResolver.HEADER))));
  }

  private Handler<RoutingContext> memberCheck(OrgRole role, Access access, Function<RoutingContext, Future<OrgContext>> resolve) {
    return ctx -> resolve.apply(ctx).onComplete(result -> {
      if (result.failed()) {
        ctx.fail(result.cause());
      } else if (!result.result().role().atLeast(role)) {
        ctx.fail(ApiException.forbidden("this action needs the " + role.label() + " role in the organization"));
      } else if (access == Access.WRITE && !principal(ctx).canWrite()) {
        ctx.fail(ApiException.forbidden("this token is read-only"));
      } else {
        ctx.put(TENANT_KEY, result.result());
        ctx.next();
      }
    });
  }

  /** An operation reserved to platform administrators. */
  public OpenAPIRoute admin(RouterBuilder builder, String operationId, Handler<RoutingContext> handler) {
    return route(builder, operationId).addHandler(authentication).addHandler(ctx -> {
      if (!AuthenticationHandler.principal(ctx).isPlatformAdmin()) {
        ctx.fail(ApiException.forbidden("platform administrators only"));
        return;
      }
      ctx.next();
    }).addHandler(handler);
  }

  private static OpenAPIRoute route(RouterBuilder builder, String operationId) {
    OpenAPIRoute route = builder.getRoute(operationId);
    if (route == null) {
      throw new IllegalStateException("operation " + operationId + " is not in the OpenAPI document");
    }
    // authentication is ours (JWT or API token), not the builder's
    return route.setDoSecurity(false);
  }

  // --- reading input -------------------------------------------------------------------------

  public static Principal principal(RoutingContext ctx) {
    return AuthenticationHandler.principal(ctx);
  }

  public static OrgContext tenant(RoutingContext ctx) {
    return ctx.get(TENANT_KEY);
  }

  private static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  /** The validated JSON body; one that is not an object is a 400 even where the contract would let it through. */
  public static JsonObject body(RoutingContext ctx) {
    RequestParameter body = validated(ctx).getBody();
    return body == null || body.isNull() ? new JsonObject() : JsonBodies.object(body.get());
  }

  /** A path parameter declared as a uuid. The contract's pattern already rejected malformed ones. */
  public static UUID pathId(RoutingContext ctx, String name) {
    RequestParameter value = validated(ctx).getPathParameters().get(name);
    return UUID.fromString(value.getString());
  }

  /** A path parameter declared as an integer. */
  public static int pathInt(RoutingContext ctx, String name) {
    return validated(ctx).getPathParameters().get(name).getInteger();
  }

  public static String query(RoutingContext ctx, String name) {
    RequestParameter value = validated(ctx).getQuery().get(name);
    return value == null || value.isNull() ? null : value.get().toString();
  }

  /** The client's address: X-Forwarded-For only from a trusted proxy (the edge), see {@link ClientAddress}. */
  public static String clientIp(RoutingContext ctx) {
    return ClientAddress.of(ctx);
  }

  // --- writing results -----------------------------------------------------------------------

  /** Completes with {@code status} and the JSON the future yields; failures go to the failure handler. */
  public static <T> void respond(RoutingContext ctx, int status, Future<T> result, Function<T, Object> toJson) {
    result.onComplete(done -> {
      if (done.failed()) {
        Idempotency.abandoned(ctx);
        ctx.fail(done.cause());
        return;
      }
      Object json = toJson.apply(done.result());
      String body = json instanceof JsonObject object ? object.encode() : io.vertx.core.json.Json.encode(json);
      Idempotency.completed(ctx, status, body, () -> ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body));
    });
  }

  public static void noContent(RoutingContext ctx, Future<?> result) {
    result.onComplete(done -> {
      if (done.failed()) {
        Idempotency.abandoned(ctx);
        ctx.fail(done.cause());
      } else {
        Idempotency.completed(ctx, 204, "", () -> ctx.response().setStatusCode(204).end());
      }
    });
  }
}
