package io.skypanel.common.auth;

import io.skypanel.common.errors.ApiException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/**
 * Turns a bearer credential into a {@link Principal}: API tokens ({@code skp_...}) by digest lookup, anything
 * else as a JWT access token. Both paths re-read the user, so disabling an account cuts it off at once.
 * Shared by every service that accepts customer credentials.
 */
public final class Authenticator {

  /** API tokens start with this, so a glance (or a secret scanner) recognises them. */
  public static final String API_TOKEN_PREFIX = "skp_";

  private final AccessTokens accessTokens;
  private final PrincipalRepository principals;

  public Authenticator(AccessTokens accessTokens, Pool pool) {
    this.accessTokens = accessTokens;
    this.principals = new PrincipalRepository(pool);
  }

  public Future<Principal> authenticate(String bearer) {
    if (bearer == null || bearer.isBlank()) {
      return Future.failedFuture(ApiException.unauthorized("authentication required"));
    }
    Future<Principal> found = bearer.startsWith(API_TOKEN_PREFIX)
        ? principals.byApiTokenDigest(Digests.sha256Hex(bearer))
        : accessTokens.verify(bearer).compose(principals::byUserId, err -> Future.succeededFuture(null));
    return found.compose(principal -> principal == null
        ? Future.failedFuture(ApiException.unauthorized("invalid or expired credentials"))
        : Future.succeededFuture(principal));
  }
}
