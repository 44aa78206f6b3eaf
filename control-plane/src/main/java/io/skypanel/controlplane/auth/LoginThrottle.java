package io.skypanel.controlplane.auth;

import io.skypanel.common.auth.Digests;
import io.skypanel.common.errors.RateLimitedException;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.util.List;

/**
 * Brute-force protection for login, shared by every control-plane replica through Redis: failed attempts
 * are counted per account and per client address in a fixed window. Past the limit every attempt is refused
 * with 429 and {@code Retry-After}, even with the right password, until the window ends. A success clears the
 * account's counter. The per-address limit is higher because many users may share one address.
 */
public final class LoginThrottle {

  private static final int ADDRESS_FACTOR = 4;

  private final RedisAPI redis;
  private final String prefix;
  private final int maxFailures;
  private final int windowSeconds;

  public LoginThrottle(RedisAPI redis, String keyPrefix, int maxFailures, int windowSeconds) {
    this.redis = redis;
    this.prefix = keyPrefix + "login:fail:";
    this.maxFailures = maxFailures;
    this.windowSeconds = windowSeconds;
  }

  /** Fails with 429 when the account or the address is locked out. */
  public Future<Void> check(String email, String ip) {
    String accountKey = accountKey(email);
    String addressKey = addressKey(ip);
    return redis.mget(List.of(accountKey, addressKey)).compose(values -> {
      int account = count(values.get(0));
      int address = count(values.get(1));
      if (account >= maxFailures) {
        return locked(accountKey);
      }
      if (address >= maxFailures * ADDRESS_FACTOR) {
        return locked(addressKey);
      }
      return Future.succeededFuture();
    });
  }

  public Future<Void> recordFailure(String email, String ip) {
    return Future.all(increment(accountKey(email)), increment(addressKey(ip))).mapEmpty();
  }

  public Future<Void> recordSuccess(String email) {
    return redis.del(List.of(accountKey(email))).mapEmpty();
  }

  private Future<Void> increment(String key) {
    return redis.incr(key).compose(value -> value.toInteger() == 1
        ? redis.expire(List.of(key, Integer.toString(windowSeconds))).mapEmpty()
        : Future.succeededFuture());
  }

  private Future<Void> locked(String key) {
    return redis.ttl(key).compose(ttl -> Future.failedFuture(new RateLimitedException(
        "too many failed login attempts; try again later", Math.max(1, ttl.toLong()))));
  }

  private String accountKey(String email) {
    // digest, so the key space does not hold readable email addresses
    return prefix + "account:" + Digests.sha256Hex(email);
  }

  private String addressKey(String ip) {
    return prefix + "address:" + (ip == null ? "unknown" : ip);
  }

  private static int count(Response value) {
    return value == null ? 0 : value.toInteger();
  }
}
