package io.skypanel.edge.routing;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Reads routes from PostgreSQL, the source of truth: every container's default domain and its verified custom
 * domains, pointing at the endpoints the control plane recorded for its first public port. A PaaS environment's
 * web process (the {@code paas_containers} row of kind {@code process}, type {@code web}, whichever release it runs)
 * also carries the environment's verified custom domains and the environment's maintenance and edge settings.
 */
public final class RouteRepository {

  private static final String ROUTES = """
      SELECT c.id, c.organization_id, c.default_domain, c.ports, c.endpoints,
             coalesce(e.maintenance, c.maintenance) AS maintenance, coalesce(e.edge_settings, c.edge_settings) AS edge_settings,
             p.edge_requests_per_second, p.edge_burst, p.edge_max_connections,
             coalesce(array_agg(lower(d.hostname)) FILTER (WHERE d.verified_at IS NOT NULL), '{}') AS domains,
             coalesce(array_agg(d.path_prefix) FILTER (WHERE d.verified_at IS NOT NULL), '{}') AS prefixes
        FROM paas_containers c
        JOIN organizations o ON o.id = c.organization_id
        LEFT JOIN paas_plans p ON p.id = coalesce(o.plan_id, (SELECT id FROM paas_plans WHERE slug = $2))
        LEFT JOIN paas_environments e ON e.id = c.environment_id AND e.organization_id = c.organization_id
                                     AND c.kind = 'process' AND c.process_type = 'web'
        LEFT JOIN paas_domains d ON d.organization_id = c.organization_id
                                AND (d.container_id = c.id OR (e.id IS NOT NULL AND d.environment_id = e.id))
       WHERE c.status <> 'deleting' AND ($1::uuid IS NULL OR c.id = $1)
       GROUP BY c.id, p.id, e.id""";

  private final String defaultPlan;
  private final RoutePolicy.RateLimit freeRate;
  private final int freeMaxConnections;

  /**
   * @param defaultPlan slug of the plan whose limits apply to organizations without one (as for CaaS quotas)
   * @param freeRate the request rate when not even that plan exists
   * @param freeMaxConnections the connections when not even that plan exists
   */
  public RouteRepository(String defaultPlan, RoutePolicy.RateLimit freeRate, int freeMaxConnections) {
    this.defaultPlan = defaultPlan;
    this.freeRate = freeRate;
    this.freeMaxConnections = freeMaxConnections;
  }

  public Future<List<Route>> all(SqlClient client) {
    return client.preparedQuery(ROUTES).execute(Tuple.of((UUID) null, defaultPlan)).map(this::routes);
  }

  public Future<List<Route>> forContainer(SqlClient client, UUID containerId) {
    return client.preparedQuery(ROUTES).execute(Tuple.of(containerId, defaultPlan)).map(this::routes);
  }

  private List<Route> routes(RowSet<Row> rows) {
    List<Route> routes = new ArrayList<>();
    for (Row row : rows) {
      List<SocketAddress> endpoints = endpoints(row.getJsonArray("ports"), row.getJsonArray("endpoints"));
      boolean viaGateway = viaGateway(row.getJsonArray("endpoints"));
      RoutePolicy policy = policy(row);
      UUID organizationId = row.getUUID("organization_id");
      UUID containerId = row.getUUID("id");
      if (row.getString("default_domain") != null) {
        routes.add(new Route(row.getString("default_domain").toLowerCase(Locale.ROOT), "/", organizationId, containerId, endpoints, policy, viaGateway));
      }
      String[] domains = row.getArrayOfStrings("domains");
      String[] prefixes = row.getArrayOfStrings("prefixes");
      for (int i = 0; i < domains.length; i++) {
        routes.add(new Route(domains[i], prefixes[i], organizationId, containerId, endpoints, policy, viaGateway));
      }
    }
    return routes;
  }

  private RoutePolicy policy(Row row) {
    Integer rate = row.getInteger("edge_requests_per_second");
    RoutePolicy.RateLimit organizationRate = rate == null ? freeRate : new RoutePolicy.RateLimit(rate, row.getInteger("edge_burst"));
    Integer maxConnections = row.getInteger("edge_max_connections");
    return RoutePolicy.fromSettings(Boolean.TRUE.equals(row.getBoolean("maintenance")), row.getJsonObject("edge_settings"),
        organizationRate, maxConnections == null ? freeMaxConnections : maxConnections);
  }

  /** True when the recorded endpoints are overlay addresses (the control plane names their network). */
  static boolean viaGateway(JsonArray endpoints) {
    for (Object item : endpoints) {
      if (item instanceof JsonObject endpoint && endpoint.getString("network") != null) {
        return true;
      }
    }
    return false;
  }

  /** Endpoints of the first public TCP port; private ports are never reachable through the edge. */
  static List<SocketAddress> endpoints(JsonArray ports, JsonArray endpoints) {
    Integer publicPort = null;
    for (Object item : ports) {
      JsonObject port = (JsonObject) item;
      if (port.getBoolean("public", true) && "tcp".equals(port.getString("protocol", "tcp"))) {
        publicPort = port.getInteger("container_port");
        break;
      }
    }
    List<SocketAddress> addresses = new ArrayList<>();
    if (publicPort == null) {
      return addresses;
    }
    for (Object item : endpoints) {
      JsonObject endpoint = (JsonObject) item;
      if (publicPort.equals(endpoint.getInteger("container_port")) && "tcp".equals(endpoint.getString("protocol", "tcp"))) {
        addresses.add(SocketAddress.inetSocketAddress(endpoint.getInteger("port"), endpoint.getString("address")));
      }
    }
    return addresses;
  }
}
