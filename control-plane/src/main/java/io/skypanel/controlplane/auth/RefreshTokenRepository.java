package io.skypanel.controlplane.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.UUID;

/** SQL for refresh tokens, stored as digests and rotated on every use. */
public final class RefreshTokenRepository {

  private static final String INSERT = """
      INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, created_ip)
      VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5::text::inet) RETURNING id""";
  private static final String LOCK_BY_HASH = """
      SELECT id, user_id, family_id, expires_at, revoked_at FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE""";
  private static final String ROTATE = "UPDATE refresh_tokens SET revoked_at = now(), replaced_by = $2 WHERE id = $1";
  private static final String REVOKE_FAMILY = "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL";

  /** A stored refresh token. */
  public record Stored(UUID id, UUID userId, UUID familyId, OffsetDateTime expiresAt, OffsetDateTime revokedAt) {
  }

  public Future<UUID> insert(SqlClient client, UUID userId, UUID familyId, String digest, long ttlSeconds, String ip) {
    return client.preparedQuery(INSERT).execute(Tuple.of(userId, familyId, digest, (double) ttlSeconds, ip))
        .map(rows -> rows.iterator().next().getUUID("id"));
  }

  /** Locks the row for the rest of the transaction so two concurrent refreshes cannot both rotate it. */
  public Future<Stored> lockByDigest(SqlClient client, String digest) {
    return client.preparedQuery(LOCK_BY_HASH).execute(Tuple.of(digest)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Stored(row.getUUID("id"), row.getUUID("user_id"), row.getUUID("family_id"),
          row.getOffsetDateTime("expires_at"), row.getOffsetDateTime("revoked_at"));
    });
  }

  public Future<Void> rotate(SqlClient client, UUID id, UUID replacement) {
    return client.preparedQuery(ROTATE).execute(Tuple.of(id, replacement)).mapEmpty();
  }

  public Future<Void> revokeFamily(SqlClient client, UUID familyId) {
    return client.preparedQuery(REVOKE_FAMILY).execute(Tuple.of(familyId)).mapEmpty();
  }
}
