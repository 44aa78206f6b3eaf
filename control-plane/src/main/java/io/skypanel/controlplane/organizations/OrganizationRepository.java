package io.skypanel.controlplane.organizations;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL for organizations and their members. */
public final class OrganizationRepository {

  private static final String ORG_COLUMNS = "o.id, o.name, o.slug, o.personal, o.wallet_balance::text AS wallet_balance, o.currency, o.created_at, o.updated_at";
  private static final String INSERT = """
      INSERT INTO organizations AS o (name, slug, personal, created_by) VALUES ($1, $2, $3, $4)
      ON CONFLICT (slug) DO NOTHING RETURNING """ + " " + ORG_COLUMNS;
  private static final String FOR_MEMBER = "SELECT " + ORG_COLUMNS + ", m.role FROM organizations o "
      + "JOIN organization_members m ON m.organization_id = o.id WHERE o.id = $1 AND m.user_id = $2";
  private static final String PAGE_FOR_MEMBER = "SELECT " + ORG_COLUMNS + ", m.role FROM organizations o "
      + "JOIN organization_members m ON m.organization_id = o.id WHERE m.user_id = $1 "
      + "AND ($2::timestamptz IS NULL OR (o.created_at, o.id) < ($2, $3)) ORDER BY o.created_at DESC, o.id DESC LIMIT $4";
  private static final String PAGE_ALL = "SELECT " + ORG_COLUMNS + " FROM organizations o "
      + "WHERE ($1::timestamptz IS NULL OR (o.created_at, o.id) < ($1, $2)) ORDER BY o.created_at DESC, o.id DESC LIMIT $3";
  private static final String UPDATE = """
      UPDATE organizations AS o SET name = coalesce($2, o.name), slug = coalesce($3, o.slug) WHERE o.id = $1
      RETURNING """ + " " + ORG_COLUMNS;
  private static final String SLUG_TAKEN = "SELECT EXISTS (SELECT 1 FROM organizations WHERE slug = $1 AND id IS DISTINCT FROM $2) AS taken";
  private static final String DELETE = "DELETE FROM organizations WHERE id = $1";
  private static final String LOCK = "SELECT id FROM organizations WHERE id = $1 FOR UPDATE";
  private static final String WORKLOADS = """
      SELECT (SELECT count(*) FROM paas_containers WHERE organization_id = $1)
           + (SELECT count(*) FROM paas_volumes WHERE organization_id = $1)
           + (SELECT count(*) FROM paas_addons WHERE organization_id = $1) AS workloads""";

  private static final String MEMBER_COLUMNS = "m.user_id, u.email, u.name, m.role, m.created_at";
  private static final String ADD_MEMBER = """
      INSERT INTO organization_members (organization_id, user_id, role) VALUES ($1, $2, $3)
      ON CONFLICT (organization_id, user_id) DO NOTHING RETURNING user_id""";
  private static final String MEMBER = "SELECT " + MEMBER_COLUMNS + " FROM organization_members m JOIN users u ON u.id = m.user_id "
      + "WHERE m.organization_id = $1 AND m.user_id = $2";
  private static final String MEMBERS_PAGE = "SELECT " + MEMBER_COLUMNS + " FROM organization_members m JOIN users u ON u.id = m.user_id "
      + "WHERE m.organization_id = $1 AND ($2::timestamptz IS NULL OR (m.created_at, m.user_id) < ($2, $3)) "
      + "ORDER BY m.created_at DESC, m.user_id DESC LIMIT $4";
  private static final String SET_ROLE = "UPDATE organization_members SET role = $3 WHERE organization_id = $1 AND user_id = $2";
  private static final String REMOVE_MEMBER = "DELETE FROM organization_members WHERE organization_id = $1 AND user_id = $2";
  private static final String OWNER_COUNT = "SELECT count(*) AS owners FROM organization_members WHERE organization_id = $1 AND role = 'owner'";

  /** The created organization (without role), or null when the slug is taken. */
  public Future<JsonObject> insert(SqlClient client, String name, String slug, boolean personal, UUID createdBy) {
    return client.preparedQuery(INSERT).execute(Tuple.of(name, slug, personal, createdBy))
        .map(rows -> rows.size() == 0 ? null : organization(rows.iterator().next()));
  }

  /** The organization with the caller's role, or null when the caller is not a member. */
  public Future<JsonObject> forMember(SqlClient client, UUID organizationId, UUID userId) {
    return client.preparedQuery(FOR_MEMBER).execute(Tuple.of(organizationId, userId))
        .map(rows -> rows.size() == 0 ? null : organization(rows.iterator().next()));
  }

  public Future<List<JsonObject>> pageForMember(SqlClient client, UUID userId, OffsetDateTime before, UUID beforeId, int limit) {
    return client.preparedQuery(PAGE_FOR_MEMBER).execute(Tuple.of(userId, before, beforeId, limit)).map(OrganizationRepository::organizations);
  }

  public Future<List<JsonObject>> pageAll(SqlClient client, OffsetDateTime before, UUID beforeId, int limit) {
    return client.preparedQuery(PAGE_ALL).execute(Tuple.of(before, beforeId, limit)).map(OrganizationRepository::organizations);
  }

  public Future<JsonObject> update(SqlClient client, UUID organizationId, String name, String slug) {
    return client.preparedQuery(UPDATE).execute(Tuple.of(organizationId, name, slug))
        .map(rows -> rows.size() == 0 ? null : organization(rows.iterator().next()));
  }

  public Future<Boolean> slugTaken(SqlClient client, String slug, UUID exceptId) {
    return client.preparedQuery(SLUG_TAKEN).execute(Tuple.of(slug, exceptId)).map(rows -> rows.iterator().next().getBoolean("taken"));
  }

  public Future<Void> delete(SqlClient client, UUID organizationId) {
    return client.preparedQuery(DELETE).execute(Tuple.of(organizationId)).mapEmpty();
  }

  /** Serialises membership changes of one organization (last-owner rule) for the rest of the transaction. */
  public Future<Void> lock(SqlClient client, UUID organizationId) {
    return client.preparedQuery(LOCK).execute(Tuple.of(organizationId)).mapEmpty();
  }

  /** Containers and volumes the organization still has (they own resources outside the database). */
  public Future<Long> workloads(SqlClient client, UUID organizationId) {
    return client.preparedQuery(WORKLOADS).execute(Tuple.of(organizationId)).map(rows -> rows.iterator().next().getLong("workloads"));
  }

  /** True when added; false when the user already was a member. */
  public Future<Boolean> addMember(SqlClient client, UUID organizationId, UUID userId, String role) {
    return client.preparedQuery(ADD_MEMBER).execute(Tuple.of(organizationId, userId, role)).map(rows -> rows.size() == 1);
  }

  public Future<JsonObject> member(SqlClient client, UUID organizationId, UUID userId) {
    return client.preparedQuery(MEMBER).execute(Tuple.of(organizationId, userId))
        .map(rows -> rows.size() == 0 ? null : member(rows.iterator().next()));
  }

  public Future<List<JsonObject>> membersPage(SqlClient client, UUID organizationId, OffsetDateTime before, UUID beforeId, int limit) {
    return client.preparedQuery(MEMBERS_PAGE).execute(Tuple.of(organizationId, before, beforeId, limit)).map(rows -> {
      List<JsonObject> members = new ArrayList<>();
      rows.forEach(row -> members.add(member(row)));
      return members;
    });
  }

  public Future<Void> setRole(SqlClient client, UUID organizationId, UUID userId, String role) {
    return client.preparedQuery(SET_ROLE).execute(Tuple.of(organizationId, userId, role)).mapEmpty();
  }

  public Future<Void> removeMember(SqlClient client, UUID organizationId, UUID userId) {
    return client.preparedQuery(REMOVE_MEMBER).execute(Tuple.of(organizationId, userId)).mapEmpty();
  }

  public Future<Long> ownerCount(SqlClient client, UUID organizationId) {
    return client.preparedQuery(OWNER_COUNT).execute(Tuple.of(organizationId)).map(rows -> rows.iterator().next().getLong("owners"));
  }

  private static List<JsonObject> organizations(io.vertx.sqlclient.RowSet<Row> rows) {
    List<JsonObject> organizations = new ArrayList<>();
    rows.forEach(row -> organizations.add(organization(row)));
    return organizations;
  }

  private static JsonObject organization(Row row) {
    JsonObject json = new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("name", row.getString("name"))
        .put("slug", row.getString("slug"))
        .put("personal", row.getBoolean("personal"))
        .put("wallet_balance", row.getString("wallet_balance"))
        .put("currency", row.getString("currency"))
        .put("created_at", row.getOffsetDateTime("created_at").toString())
        .put("updated_at", row.getOffsetDateTime("updated_at").toString());
    if (row.getColumnIndex("role") >= 0) {
      json.put("role", row.getString("role"));
    }
    return json;
  }

  private static JsonObject member(Row row) {
    return new JsonObject()
        .put("user_id", row.getUUID("user_id").toString())
        .put("email", row.getString("email"))
        .put("name", row.getString("name"))
        .put("role", row.getString("role"))
        .put("created_at", row.getOffsetDateTime("created_at").toString());
  }
}
