package io.skypanel.edge.testing;

import io.skypanel.common.Platform;
import io.skypanel.common.PlatformBootstrap;
import io.skypanel.common.config.PlatformConfig;
import io.skypanel.common.db.DatabaseOptions;
import io.skypanel.common.metrics.Metrics;
import io.skypanel.common.testing.TestServers;
import io.skypanel.edge.EdgeRouterVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A real edge router for tests: its own migrated database, the test Redis under a private prefix, a real
 * {@link Platform} and {@link EdgeRouterVerticle} on ephemeral loopback ports.
 */
public final class EdgeServer {

  private final DatabaseOptions database;
  private final Metrics metrics = new Metrics();
  private Platform platform;
  private EdgeRouterVerticle verticle;
  private String deploymentId;

  private EdgeServer(DatabaseOptions database) {
    this.database = database;
  }

  public static Future<EdgeServer> start(Vertx vertx, JsonObject overrides) {
    EdgeServer server = new EdgeServer(TestServers.createDatabase());
    DatabaseOptions db = server.database;
    JsonObject settings;
    try {
      settings = new JsonObject()
          .put("DATABASE_URL", "postgres://" + db.user() + ":" + db.password() + "@" + db.host() + ":" + db.port() + "/" + db.database())
          .put("REDIS_URL", TestServers.REDIS_URL)
          .put("SKYPANEL_REDIS_PREFIX", TestServers.redisPrefix())
          .put("SKYPANEL_BIND_HOST", "127.0.0.1")
          .put("SKYPANEL_HTTP_PORT", "0")
          .put("SKYPANEL_HTTPS_PORT", "0")
          .put("SKYPANEL_DATA_DIR", Files.createTempDirectory("skypanel-edge-test").toString())
          .put("SKYPANEL_EDGE_GATEWAY", "off")
          .mergeIn(overrides);
    } catch (java.io.IOException e) {
      return Future.failedFuture(e);
    }
    return PlatformConfig.load(vertx, settings)
        .compose(loaded -> PlatformBootstrap.start(vertx, loaded, server.metrics, true))
        .compose(platform -> {
          server.platform = platform;
          server.verticle = new EdgeRouterVerticle(platform);
          return vertx.deployVerticle(server.verticle);
        })
        .map(id -> {
          server.deploymentId = id;
          return server;
        });
  }

  public Platform platform() {
    return platform;
  }

  public Metrics metrics() {
    return metrics;
  }

  public int httpPort() {
    return port(0);
  }

  public int httpsPort() {
    return port(1);
  }

  private int port(int index) {
    return Integer.parseInt(verticle.endpoints().get(index).replaceAll("^https?://[^:]+:(\\d+).*$", "$1"));
  }

  /** An organization with one container and {@code hostname} verified for it; returns the domain id. */
  public UUID verifiedDomain(String hostname) {
    UUID org = (UUID) queryValue("INSERT INTO organizations (name, slug) VALUES ('Acme', ?) RETURNING id",
        "acme-" + UUID.randomUUID().toString().substring(0, 8));
    UUID container = (UUID) queryValue("INSERT INTO paas_containers (organization_id, name, image_ref, cpu, memory_mb) "
        + "VALUES (?, 'web', 'registry.invalid/web@sha256:0', 1, 128) RETURNING id", org);
    return (UUID) queryValue("INSERT INTO paas_domains (organization_id, hostname, container_id, verification_token, verified_at) "
        + "VALUES (?, ?, ?, 'token-0123456789abcdef', now()) RETURNING id", org, hostname, container);
  }

  /** One row as column → value, or null. */
  public Map<String, Object> row(String sql, Object... parameters) {
    try (Connection connection = connection(); PreparedStatement statement = prepare(connection, sql, parameters);
         ResultSet rows = statement.executeQuery()) {
      if (!rows.next()) {
        return null;
      }
      Map<String, Object> row = new HashMap<>();
      for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
        row.put(rows.getMetaData().getColumnLabel(i), rows.getObject(i));
      }
      return row;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  public Object queryValue(String sql, Object... parameters) {
    Map<String, Object> row = row(sql, parameters);
    return row == null ? null : row.values().iterator().next();
  }

  public int update(String sql, Object... parameters) {
    try (Connection connection = connection(); PreparedStatement statement = prepare(connection, sql, parameters)) {
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  private Connection connection() throws SQLException {
    return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
  }

  private static PreparedStatement prepare(Connection connection, String sql, Object... parameters) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    for (int i = 0; i < parameters.length; i++) {
      statement.setObject(i + 1, parameters[i]);
    }
    return statement;
  }

  public Future<Void> stop(Vertx vertx) {
    Future<Void> undeployed = deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    return undeployed.transform(done -> platform == null ? Future.succeededFuture() : platform.close())
        .andThen(done -> TestServers.dropDatabase(database)).mapEmpty();
  }
}
