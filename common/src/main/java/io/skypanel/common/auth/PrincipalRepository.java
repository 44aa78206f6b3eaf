package io.skypanel.common.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/** Finds the live account behind a credential; disabled users and revoked or expired tokens find nothing. */
final class PrincipalRepository {

  private static final String BY_USER = """
      SELECT id, email, platform_role FROM users WHERE id = $1 AND NOT disabled""";
  private static final String BY_API_TOKEN = """
      UPDATE api_tokens t SET last_used_at = now()
        FROM users u
       WHERE t.token_hash = $1 AND t.user_id = u.id AND NOT u.disabled
         AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
      RETURNING t.id AS token_id, t.scopes, u.id, u.email, u.platform_role""";

  private static final Set<String> ALL_SCOPES = Set.of(Principal.SCOPE_READ, Principal.SCOPE_WRITE, Principal.SCOPE_ADMIN);

  private final Pool pool;

  PrincipalRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Principal> byUserId(UUID userId) {
    return pool.preparedQuery(BY_USER).execute(Tuple.of(userId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Principal(row.getUUID("id"), row.getString("email"), row.getString("platform_role"), ALL_SCOPES, null);
    });
  }

  /** Looks the token up by digest and records its use in the same statement. */
  Future<Principal> byApiTokenDigest(String digest) {
    return pool.preparedQuery(BY_API_TOKEN).execute(Tuple.of(digest)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      Set<String> scopes = new HashSet<>(Arrays.asList(row.getArrayOfStrings("scopes")));
      return new Principal(row.getUUID("id"), row.getString("email"), row.getString("platform_role"), Set.copyOf(scopes), row.getUUID("token_id"));
    });
  }
}
