package io.skypanel.edge.platform;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.MediaType;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyResponse;

/**
 * The edge's own answers on the API hostname, in the API's error format {@code {"error":{"code","message"}}} (the
 * services write theirs with the same shape), so API clients never get the HTML pages meant for visitors of apps.
 */
final class ApiErrors {

  private static final MediaType JSON = MediaType.parse("application/json");

  private ApiErrors() {
  }

  /** Replaces whatever the proxy had with an error answer. */
  static ProxyResponse error(ProxyContext context, int status, String code, String message) {
    JsonObject body = new JsonObject().put("error", new JsonObject().put("code", code).put("message", message));
    return context.request().release().response()
        .setStatusCode(status)
        .putHeader("Cache-Control", "no-store")
        .setBody(Body.body(Buffer.buffer(body.encode()), JSON));
  }
}
