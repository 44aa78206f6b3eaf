package io.skypanel.common.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.UUID;

/** Issues and verifies the short-lived ES256 access tokens. */
public final class AccessTokens {

  private static final String ALGORITHM = "ES256";
  private static final String TOKEN_TYPE = "access";

  private final JWTAuth jwt;
  private final String issuer;
  private final int ttlSeconds;

  public AccessTokens(Vertx vertx, JwtKeys.Pair keys, String issuer, int ttlSeconds) {
    this.issuer = issuer;
    this.ttlSeconds = ttlSeconds;
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(keys.privatePem()))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(keys.publicPem()))
        .setJWTOptions(new JWTOptions().setIssuer(issuer)));
  }

  public int ttlSeconds() {
    return ttlSeconds;
  }

  public String issue(UUID userId) {
    return jwt.generateToken(new JsonObject().put("typ", TOKEN_TYPE),
        new JWTOptions().setAlgorithm(ALGORITHM).setIssuer(issuer).setSubject(userId.toString()).setExpiresInSeconds(ttlSeconds));
  }

  /** The user id of a valid, unexpired access token; fails otherwise. */
  public Future<UUID> verify(String token) {
    return jwt.authenticate(new TokenCredentials(token)).compose(user -> {
      JsonObject claims = user.principal();
      if (!TOKEN_TYPE.equals(claims.getString("typ")) || claims.getString("sub") == null) {
        return Future.failedFuture("not an access token");
      }
      try {
        return Future.succeededFuture(UUID.fromString(claims.getString("sub")));
      } catch (IllegalArgumentException e) {
        return Future.failedFuture("malformed subject");
      }
    });
  }
}
