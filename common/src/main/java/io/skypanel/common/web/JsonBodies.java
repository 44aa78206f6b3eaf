package io.skypanel.common.web;

import io.skypanel.common.errors.ApiException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * The one way a handler reads a JSON request body. A body that is not JSON is a 400 {@code malformed_json}; JSON of
 * another top-level type than an object (array, string, number, boolean, {@code null}) is a 400
 * {@code validation_failed} naming what was sent, never a {@link ClassCastException} answered as 500.
 */
public final class JsonBodies {

  private JsonBodies() {
  }

  /** The request body as a JSON object, or null when there is none. Needs a {@code BodyHandler} before it. */
  public static JsonObject object(RoutingContext ctx) {
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return null;
    }
    Object value;
    try {
      value = Json.decodeValue(raw);
    } catch (DecodeException e) {
      throw ApiException.badRequest("malformed_json", "the request body is not valid JSON");
    }
    return object(value);
  }

  /** {@code value}, already decoded (e.g. validated by the OpenAPI contract), as a JSON object. */
  @SuppressWarnings("unchecked")
  public static JsonObject object(Object value) {
    if (value instanceof JsonObject json) {
      return json;
    }
    if (value instanceof Map<?, ?> map) {
      return new JsonObject((Map<String, Object>) map);
    }
    throw ApiException.validation("the request body must be a JSON object, not " + describe(value), new JsonArray()
        .add(new JsonObject().put("field", "").put("rule", "type").put("message", "must be an object, was " + describe(value))));
  }

  private static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof JsonArray || value instanceof java.util.List) {
      return "an array";
    }
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    return "a " + value.getClass().getSimpleName();
  }
}
