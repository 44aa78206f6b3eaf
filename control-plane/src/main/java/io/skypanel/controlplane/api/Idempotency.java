package io.skypanel.controlplane.api;

import io.skypanel.common.auth.AuthenticationHandler;
import io.skypanel.common.auth.Digests;
import io.skypanel.common.errors.ApiException;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.RedisAPI;

import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key} for mutations, shared by every replica through Redis (24 h). The first request with
 * a key runs and its answer is kept; a retry with the same key and body gets the same answer again (marked
 * {@code Idempotent-Replayed: true}) without running twice; a retry while the first is still running is 409;
 * the same key with a different body is 422. A request that fails frees its key so it can be retried.
 */
public final class Idempotency {

  public static final String HEADER = io.skypanel.common.web.Headers.IDEMPOTENCY_KEY;
  private static final String CONTEXT_KEY = "skypanel.idempotency";
  private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9_.:-]{1,255}");
  private static final String TTL_SECONDS = "86400";

  private final RedisAPI redis;
  private final String prefix;

  public Idempotency(RedisAPI redis, String redisPrefix) {
    this.redis = redis;
    this.prefix = redisPrefix + "idempotency:";
  }

  /** Runs {@code handler} at most once per key. Requests without the header are not affected. */
  public Handler<RoutingContext> wrap(Handler<RoutingContext> handler) {
    return ctx -> {
      String key = ctx.request().getHeader(HEADER);
      if (key == null) {
        handler.handle(ctx);
        return;
      }
      if (!ACCEPTABLE.matcher(key).matches()) {
        ctx.fail(ApiException.validation(HEADER + " must be 1-255 characters of letters, digits and _.:-", null));
        return;
      }
      String redisKey = prefix + AuthenticationHandler.principal(ctx).userId() + ":" + ctx.request().method() + ":" + ctx.request().path() + ":" + key;
      String fingerprint = Digests.sha256Hex(ctx.body().asString() == null ? "" : ctx.body().asString());
      JsonObject pending = new JsonObject().put("state", "pending").put("fingerprint", fingerprint);
      redis.set(List.of(redisKey, pending.encode(), "NX", "EX", TTL_SECONDS)).onComplete(set -> {
        if (set.failed()) {
          ctx.fail(set.cause());
        } else if (set.result() != null) {
          ctx.put(CONTEXT_KEY, redisKey);
          ctx.put(CONTEXT_KEY + ".self", this);
          handler.handle(ctx);
        } else {
          replay(ctx, redisKey, fingerprint);
        }
      });
    };
  }

  private void replay(RoutingContext ctx, String redisKey, String fingerprint) {
    redis.get(redisKey).onComplete(got -> {
      if (got.failed()) {
        ctx.fail(got.cause());
        return;
      }
      if (got.result() == null) {
        ctx.fail(ApiException.conflict("idempotency_in_progress", "a request with this " + HEADER + " just finished; retry"));
        return;
      }
      JsonObject stored = new JsonObject(got.result().toString());
      if (!fingerprint.equals(stored.getString("fingerprint"))) {
        ctx.fail(ApiException.unprocessable("idempotency_key_reused", "this " + HEADER + " was used with a different request body"));
      } else if ("pending".equals(stored.getString("state"))) {
        ctx.fail(ApiException.conflict("idempotency_in_progress", "a request with this " + HEADER + " is still running"));
      } else {
        ctx.response().setStatusCode(stored.getInteger("status")).putHeader("Idempotent-Replayed", "true")
            .putHeader("Content-Type", "application/json").end(stored.getString("body", ""));
      }
    });
  }

  /** Called with the final answer of a request that ran under a key; keeps it for replays. */
  static void completed(RoutingContext ctx, int status, String body, Runnable then) {
    String redisKey = ctx.get(CONTEXT_KEY);
    Idempotency self = ctx.get(CONTEXT_KEY + ".self");
    if (redisKey == null || self == null) {
      then.run();
      return;
    }
    String fingerprint = Digests.sha256Hex(ctx.body().asString() == null ? "" : ctx.body().asString());
    JsonObject done = new JsonObject().put("state", "done").put("fingerprint", fingerprint).put("status", status).put("body", body);
    self.redis.set(List.of(redisKey, done.encode(), "XX", "EX", TTL_SECONDS)).onComplete(stored -> then.run());
  }

  /** Called when a request under a key failed: the key is freed so the client may retry. */
  static void abandoned(RoutingContext ctx) {
    String redisKey = ctx.get(CONTEXT_KEY);
    Idempotency self = ctx.get(CONTEXT_KEY + ".self");
    if (redisKey != null && self != null) {
      self.redis.del(List.of(redisKey));
    }
  }
}
