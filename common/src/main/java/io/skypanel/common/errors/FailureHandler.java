package io.skypanel.common.errors;

import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that writes error responses: {@code {"error":{"code","message","details"?}}}.
 * Expected failures ({@link ApiException}, {@link DomainException}s mapped onto their status here and nowhere
 * else, validation, malformed bodies) are not logged; anything else
 * is logged here once, with the request id, and answered with a 500 that reveals nothing internal.
 */
public final class FailureHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);
  private static final String UNIQUE_VIOLATION = "23505";

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      // the body is already streaming; all we can do is cut the connection
      ctx.response().reset();
      return;
    }
    ApiException error = translate(ctx);
    if (error instanceof RateLimitedException limited) {
      ctx.response().putHeader("Retry-After", Long.toString(limited.retryAfterSeconds()));
    }
    write(ctx, error);
  }

  /** Writes {@code error} as the response body with its status. */
  public static void write(RoutingContext ctx, ApiException error) {
    JsonObject body = new JsonObject().put("code", error.code()).put("message", error.getMessage());
    if (error.details() != null && !error.details().isEmpty()) {
      body.put("details", error.details());
    }
    ctx.response()
        .setStatusCode(error.status())
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", body).encode());
  }

  private ApiException translate(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    // vertx-web wraps validation and decoding failures in an HttpException; the cause says what went wrong
    if (failure instanceof HttpException http && (http.getCause() instanceof ValidatorException || http.getCause() instanceof DecodeException)) {
      failure = http.getCause();
    }
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof DomainException domain) {
      return domain.toApi();
    }
    if (failure instanceof SchemaValidationException schema) {
      return ApiException.validation(schema.getMessage(), schemaDetails(schema.getOutputUnit()));
    }
    if (failure instanceof ValidatorException invalid) {
      return ApiException.validation(invalid.getMessage(), null);
    }
    if (failure instanceof DecodeException || (failure != null && failure.getCause() instanceof DecodeException)) {
      return ApiException.badRequest("malformed_json", "the request body is not valid JSON");
    }
    if (failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
      // a race past the service's own duplicate check ends here rather than as a 500
      return ApiException.conflict("conflict", "a resource with the same unique value already exists");
    }
    int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
    if (failure == null && status >= 400 && status < 500) {
      return forStatus(status);
    }
    if (failure instanceof HttpException && status >= 400 && status < 500) {
      return forStatus(status);
    }
    LOG.error("request {} {} failed (request id {})", ctx.request().method(), ctx.request().path(),
        ctx.request().getHeader("X-Request-Id"), failure);
    return new ApiException(500, "internal_error", "the server could not complete the request");
  }

  private static ApiException forStatus(int status) {
    return switch (status) {
      case 400 -> ApiException.badRequest("bad_request", "the request is malformed");
      case 401 -> ApiException.unauthorized("authentication required");
      case 403 -> ApiException.forbidden("not allowed");
      case 404 -> ApiException.notFound("resource");
      case 405 -> new ApiException(405, "method_not_allowed", "method not allowed on this path");
      case 413 -> new ApiException(413, "payload_too_large", "the request body exceeds the size limit");
      case 415 -> new ApiException(415, "unsupported_media_type", "the request body must be application/json");
      default -> new ApiException(status, "client_error", "the request cannot be served");
    };
  }

  private static JsonArray schemaDetails(OutputUnit unit) {
    JsonArray details = new JsonArray();
    if (unit == null) {
      return details;
    }
    collect(unit, details);
    return details;
  }

  private static void collect(OutputUnit unit, JsonArray details) {
    if (unit.getErrors() != null && !unit.getErrors().isEmpty()) {
      unit.getErrors().forEach(child -> collect(child, details));
      return;
    }
    if (unit.getError() != null) {
      details.add(new JsonObject()
          .put("field", unit.getInstanceLocation())
          .put("rule", unit.getKeywordLocation())
          .put("message", unit.getError()));
    }
  }
}
