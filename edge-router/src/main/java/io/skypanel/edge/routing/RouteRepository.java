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
 * domains, pointing at the endpoints the control plane recorded for its first public port.
 */
public final class RouteRepository {

  private static final String ROUTES = """
      SELECT c.id, c.organization_id, c.default_domain, c.ports, c.endpoints,
             coalesce(array_agg(lower(d.hostname)) FILTER (WHERE d.verified_at IS NOT NULL), '{}') AS domains
        FROM paas_containers c LEFT JOIN paas_domains d ON d.container_id = c.id AND d.organization_id = c.organization_id
       WHERE c.status <> 'deleting' AND ($1::uuid IS NULL OR c.id = $1)
       GROUP BY c.id""";

  public Future<List<Route>> all(SqlClient client) {
    return client.preparedQuery(ROUTES).execute(Tuple.of((UUID) null)).map(RouteRepository::routes);
  }

  public Future<List<Route>> forContainer(SqlClient client, UUID containerId) {
    return client.preparedQuery(ROUTES).execute(Tuple.of(containerId)).map(RouteRepository::routes);
  }

  private static List<Route> routes(RowSet<Row> rows) {
    List<Route> routes = new ArrayList<>();
    for (Row row : rows) {
      List<SocketAddress> endpoints = endpoints(row.getJsonArray("ports"), row.getJsonArray("endpoints"));
      List<String> hosts = new ArrayList<>();
      if (row.getString("default_domain") != null) {
        hosts.add(row.getString("default_domain").toLowerCase(Locale.ROOT));
      }
      for (String domain : row.getArrayOfStrings("domains")) {
        hosts.add(domain);
      }
      for (String host : hosts) {
        routes.add(new Route(host, row.getUUID("organization_id"), row.getUUID("id"), endpoints));
      }
    }
    return routes;
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
