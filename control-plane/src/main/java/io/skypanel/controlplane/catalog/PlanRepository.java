package io.skypanel.controlplane.catalog;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL for the plan catalog and the regions nodes report. */
public final class PlanRepository {

  /** Every writable plan field, in parameter order (insert: $1..$23; update: $2..$24 after the id). */
  static final List<String> FIELDS = List.of("slug", "name", "description", "price_hourly", "price_monthly", "currency", "cpu",
      "memory_mb", "disk_gb", "max_replicas", "max_apps", "max_containers", "max_volumes", "max_volume_gb", "max_domains",
      "egress_gb_included", "isolation_tier", "active", "sort_order", "edge_requests_per_second", "edge_burst", "edge_max_connections",
      "max_addons");

  private static final String COLUMNS = """
      id, slug, name, description, price_hourly::float8 AS price_hourly, price_monthly::float8 AS price_monthly, currency,
      cpu::float8 AS cpu, memory_mb, disk_gb, max_replicas, max_apps, max_containers, max_volumes, max_volume_gb, max_domains,
      egress_gb_included, isolation_tier, active, sort_order, edge_requests_per_second, edge_burst, edge_max_connections,
      max_addons, created_at, updated_at""";
  private static final String ACTIVE = "SELECT " + COLUMNS + " FROM paas_plans WHERE active ORDER BY sort_order, price_hourly, slug";
  private static final String ALL = "SELECT " + COLUMNS + " FROM paas_plans ORDER BY sort_order, price_hourly, slug";
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM paas_plans WHERE id = $1";
  // absent optional fields take the catalog's defaults; the monthly price defaults to 730 hours
  private static final String INSERT = """
      INSERT INTO paas_plans (slug, name, description, price_hourly, price_monthly, currency, cpu, memory_mb, disk_gb,
                              max_replicas, max_apps, max_containers, max_volumes, max_volume_gb, max_domains,
                              egress_gb_included, isolation_tier, active, sort_order, edge_requests_per_second, edge_burst,
                              edge_max_connections, max_addons)
      VALUES ($1, $2, coalesce($3, ''), $4::numeric, coalesce($5, round($4::numeric * 730, 2)), coalesce($6, 'USD'), $7, $8, coalesce($9, 10),
              coalesce($10, 1), coalesce($11, 1), coalesce($12, 1), coalesce($13, 1), coalesce($14, 10), coalesce($15, 1),
              coalesce($16, 0), coalesce($17, 'standard'), coalesce($18, true), coalesce($19, 0), coalesce($20, 200),
              coalesce($21, 400), coalesce($22, 1000), coalesce($23, 2))
      ON CONFLICT (slug) DO NOTHING RETURNING """ + " " + COLUMNS;
  private static final String UPDATE = """
      UPDATE paas_plans SET slug = coalesce($2, slug), name = coalesce($3, name), description = coalesce($4, description),
             price_hourly = coalesce($5, price_hourly), price_monthly = coalesce($6, price_monthly), currency = coalesce($7, currency),
             cpu = coalesce($8, cpu), memory_mb = coalesce($9, memory_mb), disk_gb = coalesce($10, disk_gb),
             max_replicas = coalesce($11, max_replicas), max_apps = coalesce($12, max_apps), max_containers = coalesce($13, max_containers),
             max_volumes = coalesce($14, max_volumes), max_volume_gb = coalesce($15, max_volume_gb), max_domains = coalesce($16, max_domains),
             egress_gb_included = coalesce($17, egress_gb_included), isolation_tier = coalesce($18, isolation_tier),
             active = coalesce($19, active), sort_order = coalesce($20, sort_order),
             edge_requests_per_second = coalesce($21, edge_requests_per_second), edge_burst = coalesce($22, edge_burst),
             edge_max_connections = coalesce($23, edge_max_connections), max_addons = coalesce($24, max_addons)
       WHERE id = $1 RETURNING """ + " " + COLUMNS;
  private static final String DELETE = "DELETE FROM paas_plans WHERE id = $1";
  private static final String SLUG_TAKEN = "SELECT EXISTS (SELECT 1 FROM paas_plans WHERE slug = $1 AND id IS DISTINCT FROM $2) AS taken";
  private static final String REGIONS = """
      SELECT region, count(*) AS nodes FROM paas_nodes WHERE status NOT IN ('decommissioned') GROUP BY region ORDER BY region""";

  public Future<List<JsonObject>> active(SqlClient client) {
    return client.query(ACTIVE).execute().map(PlanRepository::plans);
  }

  public Future<List<JsonObject>> all(SqlClient client) {
    return client.query(ALL).execute().map(PlanRepository::plans);
  }

  public Future<JsonObject> byId(SqlClient client, UUID id) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id)).map(PlanRepository::first);
  }

  /** The created plan, or null when the slug is taken. */
  public Future<JsonObject> insert(SqlClient client, JsonObject input) {
    return client.preparedQuery(INSERT).execute(parameters(Tuple.tuple(), input)).map(PlanRepository::first);
  }

  public Future<JsonObject> update(SqlClient client, UUID id, JsonObject changes) {
    return client.preparedQuery(UPDATE).execute(parameters(Tuple.of(id), changes)).map(PlanRepository::first);
  }

  public Future<Void> delete(SqlClient client, UUID id) {
    return client.preparedQuery(DELETE).execute(Tuple.of(id)).mapEmpty();
  }

  public Future<Boolean> slugTaken(SqlClient client, String slug, UUID exceptId) {
    return client.preparedQuery(SLUG_TAKEN).execute(Tuple.of(slug, exceptId)).map(rows -> rows.iterator().next().getBoolean("taken"));
  }

  /** Regions with registered nodes and how many each has. */
  public Future<List<JsonObject>> regions(SqlClient client) {
    return client.query(REGIONS).execute().map(rows -> {
      List<JsonObject> regions = new ArrayList<>();
      rows.forEach(row -> regions.add(new JsonObject().put("id", row.getString("region")).put("nodes", row.getLong("nodes"))));
      return regions;
    });
  }

  private static Tuple parameters(Tuple tuple, JsonObject input) {
    for (String field : FIELDS) {
      Object value = input.getValue(field);
      // JSON numbers arrive as Integer/Long/Double; numeric columns take BigDecimal exactly
      if (value instanceof Number number && (field.startsWith("price_") || field.equals("cpu"))) {
        value = new java.math.BigDecimal(number.toString());
      }
      tuple.addValue(value);
    }
    return tuple;
  }

  private static List<JsonObject> plans(RowSet<Row> rows) {
    List<JsonObject> plans = new ArrayList<>();
    rows.forEach(row -> plans.add(plan(row)));
    return plans;
  }

  private static JsonObject first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : plan(rows.iterator().next());
  }

  private static JsonObject plan(Row row) {
    JsonObject json = new JsonObject().put("id", row.getUUID("id").toString());
    for (String field : FIELDS) {
      if (!field.equals("id")) {
        json.put(field, row.getValue(field));
      }
    }
    return json.put("created_at", row.getOffsetDateTime("created_at").toString())
        .put("updated_at", row.getOffsetDateTime("updated_at").toString());
  }
}
