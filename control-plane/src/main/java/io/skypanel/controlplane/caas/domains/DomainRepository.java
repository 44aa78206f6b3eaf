package io.skypanel.controlplane.caas.domains;

import io.skypanel.controlplane.caas.edge.EdgeTarget;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SQL of custom domains: {@code paas_domains} rows of a container ({@code container_id}) or of an environment
 * ({@code environment_id}), exactly one of the two. Writes take the caller's connection so they commit with their
 * activity row.
 */
final class DomainRepository {

  /** Unique index names, to tell the two conflicts apart. */
  static final String ORG_HOSTNAME_KEY = "paas_domains_org_hostname_key";
  static final String VERIFIED_HOSTNAME_KEY = "paas_domains_verified_hostname_key";

  private static final String CONTAINER_STATUS = "SELECT status FROM paas_containers WHERE id = $1 AND organization_id = $2 AND kind = 'container'";
  /** An environment is deleting as soon as it or its app is. */
  private static final String ENVIRONMENT_STATUS = """
      SELECT CASE WHEN a.status = 'deleting' THEN 'deleting' ELSE e.status END AS status
        FROM paas_environments e JOIN paas_apps a ON a.id = e.app_id WHERE e.id = $1 AND e.organization_id = $2""";
  /** Serialises domain creation per organization, so the quota count is the one that commits. */
  private static final String LOCK_ORGANIZATION = "SELECT id FROM organizations WHERE id = $1 FOR NO KEY UPDATE";
  private static final String IN_ORGANIZATION = """
      SELECT EXISTS (SELECT 1 FROM paas_domains WHERE lower(hostname) = $1 AND organization_id = $2 AND path_prefix = '/') AS taken""";
  private static final String VERIFIED_ELSEWHERE = """
      SELECT EXISTS (SELECT 1 FROM paas_domains WHERE lower(hostname) = $1 AND verified_at IS NOT NULL AND organization_id <> $2) AS taken""";
  private static final String INSERT = """
      INSERT INTO paas_domains AS d (organization_id, container_id, environment_id, hostname, verification_token, created_by)
      VALUES ($1, $2, $3, $4, $5, $6) RETURNING """ + " " + DomainRow.COLUMNS;
  private static final String SELECT = "SELECT " + DomainRow.COLUMNS + " FROM paas_domains d ";
  private static final String BY_ID = SELECT + "WHERE d.id = $1 AND d.organization_id = $2";
  /** One target's domains: $2 is the container, or $3 the environment. */
  private static final String PAGE = SELECT + """
      WHERE d.organization_id = $1 AND (d.container_id = $2 OR d.environment_id = $3)
        AND ($4::timestamptz IS NULL OR (d.created_at, d.id) < ($4, $5))
      ORDER BY d.created_at DESC, d.id DESC LIMIT $6""";
  /** The first verification wins; a repeated one keeps its time. The unique index refuses a name another organization verified. */
  private static final String MARK_VERIFIED = """
      UPDATE paas_domains AS d SET verified_at = coalesce(d.verified_at, now()), last_checked_at = now(), verification_error = NULL
       WHERE d.id = $1 RETURNING """ + " " + DomainRow.COLUMNS;
  /** A failed check never overwrites a verification that happened meanwhile. */
  private static final String RECORD_FAILURE = """
      UPDATE paas_domains AS d SET last_checked_at = now(), verification_error = $2
       WHERE d.id = $1 AND d.verified_at IS NULL RETURNING """ + " " + DomainRow.COLUMNS;
  private static final String DELETE = """
      DELETE FROM paas_domains AS d WHERE d.id = $1 AND d.organization_id = $2 RETURNING """ + " " + DomainRow.COLUMNS;
  private static final String DELETE_OF_ENVIRONMENTS = """
      DELETE FROM paas_domains AS d WHERE d.environment_id = ANY($1) AND d.organization_id = $2 RETURNING d.id, d.hostname""";
  /** Pending domains still worth asking DNS about, least recently checked first. */
  private static final String DUE_FOR_RECHECK = SELECT + """
      WHERE d.verified_at IS NULL AND d.created_at > now() - make_interval(secs => $1)
      ORDER BY d.last_checked_at NULLS FIRST, d.created_at LIMIT $2""";

  /** The container's or environment's status, or null when it is not the organization's. */
  Future<String> targetStatus(SqlClient client, UUID organizationId, EdgeTarget target) {
    String sql = target.kind() == EdgeTarget.Kind.CONTAINER ? CONTAINER_STATUS : ENVIRONMENT_STATUS;
    return client.preparedQuery(sql).execute(Tuple.of(target.id(), organizationId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("status"));
  }

  Future<Void> lockOrganization(SqlClient client, UUID organizationId) {
    return client.preparedQuery(LOCK_ORGANIZATION).execute(Tuple.of(organizationId)).mapEmpty();
  }

  /** Whether the organization already has the hostname, on any container or environment. */
  Future<Boolean> inOrganization(SqlClient client, String hostname, UUID organizationId) {
    return client.preparedQuery(IN_ORGANIZATION).execute(Tuple.of(hostname, organizationId))
        .map(rows -> rows.iterator().next().getBoolean("taken"));
  }

  Future<Boolean> verifiedElsewhere(SqlClient client, String hostname, UUID organizationId) {
    return client.preparedQuery(VERIFIED_ELSEWHERE).execute(Tuple.of(hostname, organizationId))
        .map(rows -> rows.iterator().next().getBoolean("taken"));
  }

  Future<DomainRow> insert(SqlClient client, UUID organizationId, EdgeTarget target, String hostname, String token, UUID createdBy) {
    return client.preparedQuery(INSERT).execute(Tuple.from(new Object[] {organizationId, containerOf(target), environmentOf(target), hostname,
        token, createdBy})).map(DomainRepository::first);
  }

  Future<DomainRow> byId(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id, organizationId)).map(DomainRepository::first);
  }

  Future<List<DomainRow>> page(SqlClient client, UUID organizationId, EdgeTarget target, OffsetDateTime afterCreatedAt, UUID afterId, int limit) {
    return client.preparedQuery(PAGE).execute(Tuple.from(new Object[] {organizationId, containerOf(target), environmentOf(target), afterCreatedAt,
            afterId, limit}))
        .map(DomainRepository::all);
  }

  Future<DomainRow> markVerified(SqlClient client, UUID id) {
    return client.preparedQuery(MARK_VERIFIED).execute(Tuple.of(id)).map(DomainRepository::first);
  }

  /** Null when the domain is gone or was verified meanwhile. */
  Future<DomainRow> recordFailure(SqlClient client, UUID id, String error) {
    return client.preparedQuery(RECORD_FAILURE).execute(Tuple.of(id, error)).map(DomainRepository::first);
  }

  Future<DomainRow> delete(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(DELETE).execute(Tuple.of(id, organizationId)).map(DomainRepository::first);
  }

  /** Removes every domain of these environments; the hostnames removed. */
  Future<List<String>> deleteOfEnvironments(SqlClient client, UUID organizationId, List<UUID> environmentIds) {
    return client.preparedQuery(DELETE_OF_ENVIRONMENTS).execute(Tuple.tuple().addArrayOfUUID(environmentIds.toArray(UUID[]::new))
        .addValue(organizationId)).map(rows -> {
          List<String> hostnames = new ArrayList<>();
          rows.forEach(row -> hostnames.add(row.getString("hostname")));
          return hostnames;
        });
  }

  Future<List<DomainRow>> dueForRecheck(SqlClient client, long maxAgeSeconds, int limit) {
    return client.preparedQuery(DUE_FOR_RECHECK).execute(Tuple.of((double) maxAgeSeconds, limit)).map(DomainRepository::all);
  }

  private static UUID containerOf(EdgeTarget target) {
    return target.kind() == EdgeTarget.Kind.CONTAINER ? target.id() : null;
  }

  private static UUID environmentOf(EdgeTarget target) {
    return target.kind() == EdgeTarget.Kind.ENVIRONMENT ? target.id() : null;
  }

  private static DomainRow first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : DomainRow.from(rows.iterator().next());
  }

  private static List<DomainRow> all(RowSet<Row> rows) {
    List<DomainRow> list = new ArrayList<>();
    rows.forEach(row -> list.add(DomainRow.from(row)));
    return list;
  }
}
