package io.skypanel.exec.sessions;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Open sessions of every replica, in Redis: one sorted set per user, per organization and for the platform,
 * each member a session id scored with the end of its lease, plus one key per session holding its
 * {@link SessionInfo}. A replica renews its sessions' leases every {@link io.skypanel.exec.ExecOptions#HEARTBEAT};
 * the sessions of a replica that died drop out of every count when their lease ends. Admission counts and adds
 * in one script, so two replicas cannot both take the last slot. Times are Redis's own clock.
 */
public final class SessionLimits {

  /** Why admission was refused; {@code null} when it was not. */
  public enum Refusal { USER, ORGANIZATION }

  /** What a released session's key holds for two leases, so a renewal already on its way cannot bring it back. */
  private static final String RELEASED_VALUE = "released";
  private static final String NOW = """
      local RELEASED = 'released'
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      """;
  private static final String ACQUIRE = NOW + """
      local lease = tonumber(ARGV[4])
      for i = 1, 3 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end
      if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 'user' end
      if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 'organization' end
      for i = 1, 3 do
        redis.call('ZADD', KEYS[i], now + lease, ARGV[1])
        redis.call('PEXPIRE', KEYS[i], lease)
      end
      redis.call('SET', KEYS[4], ARGV[5], 'PX', lease)
      return 'ok'""";
  private static final String RENEW = NOW + """
      local lease = tonumber(ARGV[2])
      local current = redis.call('GET', KEYS[4])
      if current == RELEASED then return -1 end
      for i = 1, 3 do
        redis.call('ZADD', KEYS[i], now + lease, ARGV[1])
        redis.call('PEXPIRE', KEYS[i], lease)
      end
      local existed = redis.call('EXISTS', KEYS[4])
      redis.call('SET', KEYS[4], ARGV[3], 'PX', lease)
      return existed""";
  private static final String RELEASE = NOW + """
      for i = 1, 3 do redis.call('ZREM', KEYS[i], ARGV[1]) end
      redis.call('SET', KEYS[4], RELEASED, 'PX', tonumber(ARGV[2]) * 2)
      return 1""";
  private static final String LIST = NOW + """
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
      local out = {}
      for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
        local value = redis.call('GET', ARGV[1] .. id)
        if value and value ~= RELEASED then out[#out + 1] = value end
      end
      return out""";

  private final RedisAPI redis;
  private final String prefix;
  private final Duration lease;

  public SessionLimits(RedisAPI redis, String redisPrefix, Duration lease) {
    this.redis = redis;
    this.prefix = redisPrefix + "exec:";
    this.lease = lease;
  }

  /** Takes a slot for {@code session} unless its user or organization is at its limit. */
  public Future<Refusal> acquire(SessionInfo session, int maxPerUser, int maxPerOrganization) {
    List<String> args = script(ACQUIRE, session);
    args.add(session.id().toString());
    args.add(Integer.toString(maxPerUser));
    args.add(Integer.toString(maxPerOrganization));
    args.add(Long.toString(lease.toMillis()));
    args.add(session.toJson().encode());
    return redis.eval(args).map(response -> switch (response.toString()) {
      case "ok" -> null;
      case "user" -> Refusal.USER;
      case "organization" -> Refusal.ORGANIZATION;
      default -> throw new IllegalStateException("unexpected answer from the session script: " + response);
    });
  }

  /**
   * Extends the session's lease: true when it held one, false when its lease had expired (this replica stalled for
   * a whole lease; it holds one again), null when the session was released meanwhile (nothing renewed).
   */
  public Future<Boolean> renew(SessionInfo session) {
    List<String> args = script(RENEW, session);
    args.add(session.id().toString());
    args.add(Long.toString(lease.toMillis()));
    args.add(session.toJson().encode());
    return redis.eval(args).map(response -> response.toInteger() < 0 ? null : response.toInteger() == 1);
  }

  public Future<Void> release(SessionInfo session) {
    List<String> args = script(RELEASE, session);
    args.add(session.id().toString());
    args.add(Long.toString(lease.toMillis()));
    return redis.eval(args).mapEmpty();
  }

  /** Every open session of every replica. */
  public Future<List<JsonObject>> list() {
    return redis.eval(List.of(LIST, "1", allKey(), sessionKey(""))).map(response -> {
      List<JsonObject> sessions = new ArrayList<>();
      if (response != null) {
        for (Response value : response) {
          sessions.add(new JsonObject(value.toString()));
        }
      }
      return sessions;
    });
  }

  /** The open session with this id, or null. */
  public Future<JsonObject> get(UUID sessionId) {
    return redis.get(sessionKey(sessionId.toString()))
        .map(value -> value == null || RELEASED_VALUE.equals(value.toString()) ? null : new JsonObject(value.toString()));
  }

  private List<String> script(String script, SessionInfo session) {
    List<String> args = new ArrayList<>();
    args.add(script);
    args.add("4");
    args.add(prefix + "sessions:user:" + session.userId());
    args.add(prefix + "sessions:org:" + session.organizationId());
    args.add(allKey());
    args.add(sessionKey(session.id().toString()));
    return args;
  }

  private String allKey() {
    return prefix + "sessions";
  }

  private String sessionKey(String id) {
    return prefix + "session:" + id;
  }
}
