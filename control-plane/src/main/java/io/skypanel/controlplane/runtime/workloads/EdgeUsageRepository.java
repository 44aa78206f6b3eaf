package io.skypanel.controlplane.runtime.workloads;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads what the edge routers metered for a workload ({@code paas_usage} rows of resource type {@code container},
 * written by the edge's usage meter for every routed workload, a container or a web process): requests and bytes in
 * and out per UTC hour.
 */
final class EdgeUsageRepository {

  private static final String HOURLY = """
      SELECT period_start,
             coalesce(sum(quantity) FILTER (WHERE metric = 'requests'), 0) AS requests,
             coalesce(sum(quantity) FILTER (WHERE metric = 'ingress_bytes'), 0) AS ingress_bytes,
             coalesce(sum(quantity) FILTER (WHERE metric = 'egress_bytes'), 0) AS egress_bytes
        FROM paas_usage
       WHERE resource_id = $1 AND organization_id = $2 AND resource_type = 'container'
         AND metric IN ('requests', 'ingress_bytes', 'egress_bytes')
         AND period_start >= date_trunc('hour', now()) - make_interval(hours => $3 - 1)
       GROUP BY period_start ORDER BY period_start""";

  /** One object per metered hour of the last {@code hours} (the current one included), oldest first. */
  Future<List<JsonObject>> hourly(SqlClient client, UUID organizationId, UUID workloadId, int hours) {
    return client.preparedQuery(HOURLY).execute(Tuple.of(workloadId, organizationId, hours)).map(rows -> {
      List<JsonObject> list = new ArrayList<>();
      for (Row row : rows) {
        list.add(new JsonObject()
            .put("period_start", row.getOffsetDateTime("period_start").toInstant().toString())
            .put("requests", whole(row.getBigDecimal("requests")))
            .put("ingress_bytes", whole(row.getBigDecimal("ingress_bytes")))
            .put("egress_bytes", whole(row.getBigDecimal("egress_bytes"))));
      }
      return list;
    });
  }

  private static long whole(BigDecimal value) {
    return value == null ? 0L : value.longValue();
  }
}
