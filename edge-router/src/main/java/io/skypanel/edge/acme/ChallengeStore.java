package io.skypanel.edge.acme;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Pending ACME challenge responses in Redis, so whichever edge replica the CA's validator reaches can answer:
 * HTTP-01 token → key authorization, and TLS-ALPN-01 hostname → challenge certificate and key (PEM). Entries
 * expire on their own ({@code SKYPANEL_ACME_CHALLENGE_TTL_MS}); the manager also removes them when done.
 */
public final class ChallengeStore {

  /** A TLS-ALPN-01 response: the self-signed certificate carrying the acmeIdentifier extension, and its key. */
  public record AlpnCertificate(String certificatePem, String privateKeyPem) {
  }

  private final RedisAPI redis;
  private final String http01Prefix;
  private final String alpnPrefix;
  private final Duration ttl;

  public ChallengeStore(RedisAPI redis, String redisPrefix, Duration ttl) {
    this.redis = redis;
    this.http01Prefix = redisPrefix + "acme:http01:";
    this.alpnPrefix = redisPrefix + "acme:alpn:";
    this.ttl = ttl;
  }

  public Future<Void> putHttp01(String token, String keyAuthorization) {
    return set(http01Prefix + token, keyAuthorization);
  }

  /** The key authorization for {@code token}, or null. */
  public Future<String> http01(String token) {
    return redis.get(http01Prefix + token).map(reply -> reply == null ? null : reply.toString());
  }

  public Future<Void> putAlpn(String hostname, AlpnCertificate certificate) {
    return set(alpnPrefix + hostname.toLowerCase(Locale.ROOT), new JsonObject()
        .put("certificate", certificate.certificatePem()).put("private_key", certificate.privateKeyPem()).encode());
  }

  /** The TLS-ALPN-01 response for {@code hostname}, or null. */
  public Future<AlpnCertificate> alpn(String hostname) {
    return redis.get(alpnPrefix + hostname.toLowerCase(Locale.ROOT)).map(reply -> {
      if (reply == null) {
        return null;
      }
      JsonObject value = new JsonObject(reply.toString());
      return new AlpnCertificate(value.getString("certificate"), value.getString("private_key"));
    });
  }

  public Future<Void> removeHttp01(String token) {
    return redis.del(List.of(http01Prefix + token)).mapEmpty();
  }

  public Future<Void> removeAlpn(String hostname) {
    return redis.del(List.of(alpnPrefix + hostname.toLowerCase(Locale.ROOT))).mapEmpty();
  }

  private Future<Void> set(String key, String value) {
    Future<Response> written = redis.set(List.of(key, value, "PX", Long.toString(ttl.toMillis())));
    return written.mapEmpty();
  }
}
