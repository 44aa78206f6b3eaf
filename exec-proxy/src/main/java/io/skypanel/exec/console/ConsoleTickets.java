package io.skypanel.exec.console;

import io.skypanel.common.auth.Digests;
import io.skypanel.exec.access.ContainerRef;
import io.skypanel.exec.access.ExecTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Console tickets: browsers cannot set {@code Authorization} on a WebSocket, so they first ask for a ticket with
 * their token and then open the console with {@code ?ticket=}. A ticket is 256 random bits, lives in Redis for
 * the configured TTL under the SHA-256 of its text (a Redis dump reveals no usable ticket), is bound to the user,
 * the organization and the container (or interactive run), and is taken with {@code GETDEL}: it works once, on any replica.
 */
public final class ConsoleTickets {

  /** What a ticket stands for: the user and the credential's scopes, the organization and the container. */
  public record Ticket(UUID userId, UUID organizationId, UUID containerId, Set<String> scopes, UUID tokenId, String label) {
  }

  private final RedisAPI redis;
  private final String prefix;
  private final Duration ttl;

  public ConsoleTickets(RedisAPI redis, String redisPrefix, Duration ttl) {
    this.redis = redis;
    this.prefix = redisPrefix + "exec:ticket:";
    this.ttl = ttl;
  }

  /** Issues a ticket for the caller of an access-checked request: {@code {"ticket", "expires_at"}}. */
  public Future<JsonObject> issue(ExecTarget target) {
    String ticket = Digests.randomToken(32);
    Instant expires = Instant.now().plus(ttl);
    JsonObject value = new JsonObject()
        .put("user_id", target.principal().userId().toString())
        .put("organization_id", target.membership().organizationId().toString())
        .put("container_id", target.container().id().toString())
        // a ticket for a run never opens a container's console, nor the other way round
        .put("label", target.container().label())
        .put("scopes", new JsonArray(List.copyOf(target.principal().scopes())))
        .put("token_id", target.principal().tokenId() == null ? null : target.principal().tokenId().toString());
    return redis.set(List.of(key(ticket), value.encode(), "PX", Long.toString(ttl.toMillis()), "NX"))
        .map(ok -> new JsonObject().put("ticket", ticket).put("expires_at", expires.toString()));
  }

  /** Takes the ticket (it cannot be used again); null when it is unknown, used or expired. */
  public Future<Ticket> redeem(String ticket) {
    if (ticket == null || ticket.isBlank() || ticket.length() > 128) {
      return Future.succeededFuture(null);
    }
    return redis.getdel(key(ticket)).map(response -> {
      if (response == null) {
        return null;
      }
      JsonObject value = new JsonObject(response.toString());
      Set<String> scopes = new HashSet<>();
      value.getJsonArray("scopes", new JsonArray()).forEach(scope -> scopes.add(scope.toString()));
      String token = value.getString("token_id");
      return new Ticket(UUID.fromString(value.getString("user_id")), UUID.fromString(value.getString("organization_id")),
          UUID.fromString(value.getString("container_id")), Set.copyOf(scopes), token == null ? null : UUID.fromString(token),
          value.getString("label", ContainerRef.CONTAINER_LABEL));
    });
  }

  private String key(String ticket) {
    return prefix + Digests.sha256Hex(ticket);
  }
}
