package io.skypanel.controlplane.paas.addons;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL of the add-on catalog {@code paas_addon_plans}; the service kind is stored as {@code provider}. */
public final class AddonPlanRepository {

  /** Writable fields in parameter order; {@code service} is the column {@code provider}. */
  static final List<String> FIELDS = List.of("service", "slug", "name", "description", "version", "memory_mb", "cpu", "storage_gb",
      "backup_retention_days", "backup_schedule_hours", "price_hourly", "price_monthly", "active", "sort_order");

  private static final String COLUMNS = """
      id, provider AS service, slug, name, description, version, memory_mb, cpu::float8 AS cpu, storage_gb, backup_retention_days,
      backup_schedule_hours, price_hourly::float8 AS price_hourly, price_monthly::float8 AS price_monthly, active, sort_order,
      created_at, updated_at""";
  private static final String ORDER = " ORDER BY sort_order, provider, price_hourly, slug";
  private static final String ACTIVE = "SELECT " + COLUMNS + " FROM paas_addon_plans WHERE active" + ORDER;
  private static final String ALL = "SELECT " + COLUMNS + " FROM paas_addon_plans" + ORDER;
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM paas_addon_plans WHERE id = $1";
  /** A plan a customer may choose: active, by id or by slug (slugs are unique per service; the first wins). */
  private static final String CHOOSABLE = "SELECT " + COLUMNS + " FROM paas_addon_plans WHERE active AND (id::text = $1 OR slug = $1)"
      + ORDER + " LIMIT 1";
  private static final String INSERT = """
      INSERT INTO paas_addon_plans (provider, slug, name, description, version, memory_mb, cpu, storage_gb, backup_retention_days,
                                    backup_schedule_hours, price_hourly, price_monthly, active, sort_order)
      VALUES ($1, $2, $3, coalesce($4, ''), $5, $6, $7, coalesce($8, 1), coalesce($9, 7), coalesce($10, 24), $11,
              coalesce($12, round($11::numeric * 730, 2)), coalesce($13, true), coalesce($14, 0))
      ON CONFLICT (provider, slug) DO NOTHING RETURNING """ + " " + COLUMNS;
  private static final String UPDATE = """
      UPDATE paas_addon_plans SET provider = coalesce($2, provider), slug = coalesce($3, slug), name = coalesce($4, name),
             description = coalesce($5, description), version = coalesce($6, version), memory_mb = coalesce($7, memory_mb),
             cpu = coalesce($8, cpu), storage_gb = coalesce($9, storage_gb),
             backup_retention_days = coalesce($10, backup_retention_days), backup_schedule_hours = coalesce($11, backup_schedule_hours),
             price_hourly = coalesce($12, price_hourly), price_monthly = coalesce($13, price_monthly), active = coalesce($14, active),
             sort_order = coalesce($15, sort_order)
       WHERE id = $1 RETURNING """ + " " + COLUMNS;
  private static final String DELETE = "DELETE FROM paas_addon_plans WHERE id = $1";

  public Future<List<JsonObject>> active(SqlClient client) {
    return client.query(ACTIVE).execute().map(AddonPlanRepository::plans);
  }

  public Future<List<JsonObject>> all(SqlClient client) {
    return client.query(ALL).execute().map(AddonPlanRepository::plans);
  }

  public Future<JsonObject> byId(SqlClient client, UUID id) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id)).map(AddonPlanRepository::first);
  }

  /** An active plan by id or slug, or null. */
  public Future<JsonObject> choosable(SqlClient client, String idOrSlug) {
    return client.preparedQuery(CHOOSABLE).execute(Tuple.of(idOrSlug)).map(AddonPlanRepository::first);
  }

  /** The created plan, or null when the service already has that slug. */
  public Future<JsonObject> insert(SqlClient client, JsonObject input) {
    return client.preparedQuery(INSERT).execute(parameters(Tuple.tuple(), input)).map(AddonPlanRepository::first);
  }

  public Future<JsonObject> update(SqlClient client, UUID id, JsonObject changes) {
    return client.preparedQuery(UPDATE).execute(parameters(Tuple.of(id), changes)).map(AddonPlanRepository::first);
  }

  public Future<Void> delete(SqlClient client, UUID id) {
    return client.preparedQuery(DELETE).execute(Tuple.of(id)).mapEmpty();
  }

  private static Tuple parameters(Tuple tuple, JsonObject input) {
    for (String field : FIELDS) {
      Object value = input.getValue(field);
      // JSON numbers arrive as Integer/Long/Double; numeric columns take BigDecimal exactly
      if (value instanceof Number number && (field.startsWith("price_") || field.equals("cpu"))) {
        value = new BigDecimal(number.toString());
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
      json.put(field, row.getValue(field));
    }
    return json.put("created_at", row.getOffsetDateTime("created_at").toString())
        .put("updated_at", row.getOffsetDateTime("updated_at").toString());
  }
}
