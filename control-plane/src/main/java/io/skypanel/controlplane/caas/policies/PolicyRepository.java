package io.skypanel.controlplane.caas.policies;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** SQL for an organization's image policy ({@code caas_image_policies}) and network policy ({@code caas_network_policies}). */
public final class PolicyRepository {

  private static final String IMAGE_COLUMNS = "allowed_registries, allowed_patterns, blocked_patterns, require_digest, updated_at";
  private static final String IMAGE_GET = "SELECT " + IMAGE_COLUMNS + " FROM caas_image_policies WHERE organization_id = $1";
  private static final String IMAGE_UPSERT = """
      INSERT INTO caas_image_policies (organization_id, allowed_registries, allowed_patterns, blocked_patterns, require_digest, updated_by)
      VALUES ($1, $2::text[], $3::text[], $4::text[], $5, $6)
      ON CONFLICT (organization_id) DO UPDATE SET allowed_registries = EXCLUDED.allowed_registries,
             allowed_patterns = EXCLUDED.allowed_patterns, blocked_patterns = EXCLUDED.blocked_patterns,
             require_digest = EXCLUDED.require_digest, updated_by = EXCLUDED.updated_by
      RETURNING """ + " " + IMAGE_COLUMNS;

  private static final String NETWORK_COLUMNS = "egress_mode, ingress_mode, allow_intra_org, updated_at";
  private static final String NETWORK_GET = "SELECT " + NETWORK_COLUMNS + " FROM caas_network_policies WHERE organization_id = $1";
  // the API's only ingress mode, edge_and_org, is stored as public ingress (through the edge router) plus intra-org traffic
  private static final String NETWORK_UPSERT = """
      INSERT INTO caas_network_policies (organization_id, egress_mode, ingress_mode, allow_intra_org, updated_by)
      VALUES ($1, $2, 'public', true, $3)
      ON CONFLICT (organization_id) DO UPDATE SET egress_mode = EXCLUDED.egress_mode, ingress_mode = EXCLUDED.ingress_mode,
             allow_intra_org = EXCLUDED.allow_intra_org, updated_by = EXCLUDED.updated_by
      RETURNING """ + " " + NETWORK_COLUMNS;

  /** The organization's own image rules as stored (empty lists and false mean "inherit the platform default"). */
  public record StoredImagePolicy(ImagePolicy rules, OffsetDateTime updatedAt) {
  }

  /** The organization's stored network policy row. */
  public record StoredNetworkPolicy(String egressMode, String ingressMode, boolean allowIntraOrg, OffsetDateTime updatedAt) {
  }

  /** Null when the organization never set an image policy. */
  public Future<StoredImagePolicy> imagePolicy(SqlClient client, UUID organizationId) {
    return client.preparedQuery(IMAGE_GET).execute(Tuple.of(organizationId)).map(PolicyRepository::firstImage);
  }

  public Future<StoredImagePolicy> upsertImagePolicy(SqlClient client, UUID organizationId, ImagePolicy rules, UUID updatedBy) {
    return client.preparedQuery(IMAGE_UPSERT).execute(Tuple.of(organizationId, rules.allowedRegistries().toArray(String[]::new),
            rules.allowedPatterns().toArray(String[]::new), rules.blockedPatterns().toArray(String[]::new), rules.requireDigest(), updatedBy))
        .map(PolicyRepository::firstImage);
  }

  /** Null when the organization never set a network policy. */
  public Future<StoredNetworkPolicy> networkPolicy(SqlClient client, UUID organizationId) {
    return client.preparedQuery(NETWORK_GET).execute(Tuple.of(organizationId)).map(PolicyRepository::firstNetwork);
  }

  public Future<StoredNetworkPolicy> upsertNetworkPolicy(SqlClient client, UUID organizationId, String egressMode, UUID updatedBy) {
    return client.preparedQuery(NETWORK_UPSERT).execute(Tuple.of(organizationId, egressMode, updatedBy)).map(PolicyRepository::firstNetwork);
  }

  private static StoredImagePolicy firstImage(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row row = rows.iterator().next();
    return new StoredImagePolicy(new ImagePolicy(list(row, "allowed_registries"), list(row, "allowed_patterns"),
        list(row, "blocked_patterns"), row.getBoolean("require_digest")), row.getOffsetDateTime("updated_at"));
  }

  private static StoredNetworkPolicy firstNetwork(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row row = rows.iterator().next();
    return new StoredNetworkPolicy(row.getString("egress_mode"), row.getString("ingress_mode"), row.getBoolean("allow_intra_org"),
        row.getOffsetDateTime("updated_at"));
  }

  private static List<String> list(Row row, String column) {
    String[] values = row.getArrayOfStrings(column);
    return values == null ? List.of() : Arrays.asList(values);
  }
}
