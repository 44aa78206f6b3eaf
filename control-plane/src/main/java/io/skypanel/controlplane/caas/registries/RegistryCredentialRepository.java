package io.skypanel.controlplane.caas.registries;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SQL for private registry credentials. The password column is only ever written sealed and only read by
 * {@link #useForHost}; every other query leaves it out, so it cannot reach a response by accident.
 */
public final class RegistryCredentialRepository {

  private static final String COLUMNS = "id, name, registry_host, username, last_used_at, created_at";
  private static final String INSERT = """
      INSERT INTO caas_registry_credentials (organization_id, name, registry_host, username, password_sealed, created_by)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (organization_id, name) DO NOTHING RETURNING """ + " " + COLUMNS;
  private static final String PAGE = "SELECT " + COLUMNS + " FROM caas_registry_credentials WHERE organization_id = $1 "
      + "AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3)) ORDER BY created_at DESC, id DESC LIMIT $4";
  private static final String DELETE = "DELETE FROM caas_registry_credentials WHERE id = $1 AND organization_id = $2 RETURNING " + COLUMNS;
  // the newest credential for the host wins; using it is recorded in last_used_at
  private static final String USE_FOR_HOST = """
      UPDATE caas_registry_credentials SET last_used_at = now()
       WHERE id = (SELECT id FROM caas_registry_credentials WHERE organization_id = $1 AND registry_host = $2
                    ORDER BY created_at DESC, id DESC LIMIT 1)
      RETURNING id, name, registry_host, username, password_sealed""";

  /** What a pull needs; {@code passwordSealed} is still sealed. */
  public record SealedLogin(UUID id, String name, String registryHost, String username, String passwordSealed) {

    @Override
    public String toString() {
      return "SealedLogin[" + id + ", " + name + ", " + registryHost + ", " + username + "]";
    }
  }

  /** The created credential (without its password), or null when the name is taken in the organization. */
  public Future<JsonObject> insert(SqlClient client, UUID organizationId, String name, String registryHost, String username,
                                   String passwordSealed, UUID createdBy) {
    return client.preparedQuery(INSERT).execute(Tuple.of(organizationId, name, registryHost, username, passwordSealed, createdBy))
        .map(RegistryCredentialRepository::first);
  }

  public Future<List<JsonObject>> page(SqlClient client, UUID organizationId, OffsetDateTime before, UUID beforeId, int limit) {
    return client.preparedQuery(PAGE).execute(Tuple.of(organizationId, before, beforeId, limit)).map(rows -> {
      List<JsonObject> page = new ArrayList<>();
      rows.forEach(row -> page.add(credential(row)));
      return page;
    });
  }

  /** The deleted credential, or null when the organization has no credential with this id. */
  public Future<JsonObject> delete(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(DELETE).execute(Tuple.of(id, organizationId)).map(RegistryCredentialRepository::first);
  }

  /** The organization's credential for {@code registryHost} (marked used), or null when it has none. */
  public Future<SealedLogin> useForHost(SqlClient client, UUID organizationId, String registryHost) {
    return client.preparedQuery(USE_FOR_HOST).execute(Tuple.of(organizationId, registryHost)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new SealedLogin(row.getUUID("id"), row.getString("name"), row.getString("registry_host"), row.getString("username"),
          row.getString("password_sealed"));
    });
  }

  private static JsonObject first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : credential(rows.iterator().next());
  }

  private static JsonObject credential(Row row) {
    OffsetDateTime lastUsed = row.getOffsetDateTime("last_used_at");
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("name", row.getString("name"))
        .put("registry", row.getString("registry_host"))
        .put("username", row.getString("username"))
        .put("last_used_at", lastUsed == null ? null : lastUsed.toString())
        .put("created_at", row.getOffsetDateTime("created_at").toString());
  }
}
