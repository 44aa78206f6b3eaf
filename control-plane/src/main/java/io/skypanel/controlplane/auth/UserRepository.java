package io.skypanel.controlplane.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL for user accounts. */
public final class UserRepository {

  static final String COLUMNS = "id, email, name, platform_role, disabled, personal_organization_id, created_at";
  private static final String INSERT = """
      INSERT INTO users (email, name, password_hash, platform_role) VALUES ($1, $2, $3, $4)
      ON CONFLICT (email) DO NOTHING RETURNING """ + " " + COLUMNS;
  private static final String BY_EMAIL = "SELECT " + COLUMNS + ", password_hash FROM users WHERE email = $1";
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM users WHERE id = $1";
  private static final String SET_PERSONAL = "UPDATE users SET personal_organization_id = $2 WHERE id = $1";
  private static final String TOUCH_LOGIN = "UPDATE users SET last_login_at = now() WHERE id = $1";
  private static final String ANY_ADMIN = "SELECT EXISTS (SELECT 1 FROM users WHERE platform_role = 'admin') AS present";
  private static final String PAGE = "SELECT " + COLUMNS + """
       FROM users WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2))
      ORDER BY created_at DESC, id DESC LIMIT $3""";

  /** A stored account; {@code passwordHash} is only loaded for login. */
  public record User(UUID id, String email, String name, String platformRole, boolean disabled,
                     UUID personalOrganizationId, OffsetDateTime createdAt, String passwordHash) {

    public JsonObject toJson() {
      return new JsonObject()
          .put("id", id.toString())
          .put("email", email)
          .put("name", name)
          .put("platform_role", platformRole)
          .put("disabled", disabled)
          .put("personal_organization_id", personalOrganizationId == null ? null : personalOrganizationId.toString())
          .put("created_at", createdAt.toString());
    }

    User withPersonalOrganization(UUID organizationId) {
      return new User(id, email, name, platformRole, disabled, organizationId, createdAt, passwordHash);
    }
  }

  /** The new user, or null when the email is taken. */
  public Future<User> insert(SqlClient client, String email, String name, String passwordHash, String platformRole) {
    return client.preparedQuery(INSERT).execute(Tuple.of(email, name, passwordHash, platformRole))
        .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next(), false));
  }

  public Future<User> byEmail(SqlClient client, String email) {
    return client.preparedQuery(BY_EMAIL).execute(Tuple.of(email))
        .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next(), true));
  }

  public Future<User> byId(SqlClient client, UUID id) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next(), false));
  }

  public Future<Void> setPersonalOrganization(SqlClient client, UUID userId, UUID organizationId) {
    return client.preparedQuery(SET_PERSONAL).execute(Tuple.of(userId, organizationId)).mapEmpty();
  }

  public Future<Void> touchLogin(SqlClient client, UUID userId) {
    return client.preparedQuery(TOUCH_LOGIN).execute(Tuple.of(userId)).mapEmpty();
  }

  public Future<Boolean> anyAdmin(SqlClient client) {
    return client.query(ANY_ADMIN).execute().map(rows -> rows.iterator().next().getBoolean("present"));
  }

  public Future<List<User>> page(SqlClient client, OffsetDateTime beforeCreatedAt, UUID beforeId, int limit) {
    return client.preparedQuery(PAGE).execute(Tuple.of(beforeCreatedAt, beforeId, limit)).map(rows -> {
      List<User> users = new ArrayList<>();
      rows.forEach(row -> users.add(map(row, false)));
      return users;
    });
  }

  private static User map(Row row, boolean withHash) {
    return new User(row.getUUID("id"), row.getString("email"), row.getString("name"), row.getString("platform_role"),
        row.getBoolean("disabled"), row.getUUID("personal_organization_id"), row.getOffsetDateTime("created_at"),
        withHash ? row.getString("password_hash") : null);
  }
}
