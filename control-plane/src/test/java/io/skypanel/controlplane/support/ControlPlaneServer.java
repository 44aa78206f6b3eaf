package io.skypanel.controlplane.support;

import io.skypanel.common.Platform;
import io.skypanel.common.PlatformBootstrap;
import io.skypanel.common.config.PlatformConfig;
import io.skypanel.common.db.DatabaseOptions;
import io.skypanel.common.metrics.Metrics;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.ControlPlaneVerticle;
import io.skypanel.controlplane.paas.builds.SourceBuilds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real control plane for API tests: its own empty PostgreSQL database (migrated by the normal start
 * path), the test Redis under a private key prefix, and the HTTP API on a free port.
 */
public final class ControlPlaneServer {

  public static final String ADMIN_EMAIL = "root@skypanel.test";
  public static final String ADMIN_PASSWORD = "admin-password-1";
  /** The test registry (host:port) and its login, as scripts/prepare-test-servers.sh sets them up. */
  public static final String REGISTRY = env("SKYPANEL_TEST_REGISTRY", "127.0.0.1:5000");
  public static final String REGISTRY_USERNAME = env("SKYPANEL_TEST_REGISTRY_USERNAME", "skypanel");
  public static final String REGISTRY_PASSWORD = env("SKYPANEL_TEST_REGISTRY_PASSWORD", "skypanel-registry");

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  private final Vertx vertx;
  private final DatabaseOptions database;
  private JsonObject settings;
  private Platform platform;
  private ControlPlaneVerticle verticle;
  private String deploymentId;
  private SourceBuilds builds;

  private ControlPlaneServer(Vertx vertx, DatabaseOptions database) {
    this.vertx = vertx;
    this.database = database;
  }

  /** Starts with the given setting overrides on top of the test defaults. */
  public static Future<ControlPlaneServer> start(Vertx vertx, Metrics metrics, JsonObject overrides) {
    return start(vertx, metrics, overrides, null);
  }

  /** Starts with setting overrides whose git pushes and webhooks submit builds to {@code builds} (null: the build service). */
  public static Future<ControlPlaneServer> start(Vertx vertx, Metrics metrics, JsonObject overrides, SourceBuilds builds) {
    DatabaseOptions database = TestServers.createDatabase();
    ControlPlaneServer server = new ControlPlaneServer(vertx, database);
    server.builds = builds;
    Path dataDir;
    try {
      dataDir = Files.createTempDirectory("skypanel-test");
    } catch (java.io.IOException e) {
      return Future.failedFuture(e);
    }
    JsonObject settings = new JsonObject()
        .put("DATABASE_URL", "postgres://" + database.user() + ":" + database.password() + "@" + database.host() + ":" + database.port() + "/" + database.database())
        .put("REDIS_URL", TestServers.REDIS_URL)
        .put("SKYPANEL_REDIS_PREFIX", TestServers.redisPrefix())
        .put("SKYPANEL_API_PORT", "0")
        .put("SKYPANEL_BIND_HOST", "127.0.0.1")
        .put("SKYPANEL_BCRYPT_COST", "4")
        .put("SKYPANEL_DATA_DIR", dataDir.toString())
        .put("SKYPANEL_ADMIN_EMAIL", ADMIN_EMAIL)
        .put("SKYPANEL_ADMIN_PASSWORD", ADMIN_PASSWORD)
        // no background DNS checks of pending custom domains unless a test class turns them on (system property)
        .put("SKYPANEL_DOMAIN_RECHECK_MS", System.getProperty("SKYPANEL_DOMAIN_RECHECK_MS", "0"))
        // the platform registry scripts/prepare-test-servers.sh starts; a test class may keep fewer images (system property)
        .put("SKYPANEL_REGISTRY", REGISTRY)
        .put("SKYPANEL_REGISTRY_USERNAME", REGISTRY_USERNAME)
        .put("SKYPANEL_REGISTRY_PASSWORD", REGISTRY_PASSWORD)
        .put("SKYPANEL_REGISTRY_KEEP", System.getProperty("SKYPANEL_REGISTRY_KEEP", "10"))
        .mergeIn(overrides);
    return server.boot(metrics, settings);
  }

  private Future<ControlPlaneServer> boot(Metrics metrics, JsonObject settings) {
    this.settings = settings;
    return PlatformConfig.load(vertx, settings)
        .compose(loaded -> PlatformBootstrap.start(vertx, loaded, metrics, true))
        .compose(started -> {
          platform = started;
          verticle = new ControlPlaneVerticle(started, builds);
          return vertx.deployVerticle(verticle);
        })
        .map(id -> {
          deploymentId = id;
          return this;
        });
  }

  /**
   * The first half of a control-plane restart (as after a crash or an upgrade): this control plane stops, while its
   * database, Redis keys and data directory stay for {@link #startAgain}.
   */
  public Future<Void> halt() {
    Future<Void> undeployed = deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    deploymentId = null;
    return undeployed.compose(v -> platform.close());
  }

  /** A new control plane on this one's database with the same settings, after {@link #halt}; use it from then on. */
  public Future<ControlPlaneServer> startAgain(Metrics metrics) {
    ControlPlaneServer again = new ControlPlaneServer(vertx, database);
    again.builds = builds;
    return again.boot(metrics, settings);
  }

  public int port() {
    return Integer.parseInt(verticle.endpoints().get(0).replaceAll("^http://[^:]+:(\\d+).*$", "$1"));
  }

  public Platform platform() {
    return platform;
  }

  public DatabaseOptions database() {
    return database;
  }

  /** Counts rows with plain JDBC, to prove what a request did or did not write. */
  public long count(String table) {
    try (var connection = java.sql.DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
         var statement = connection.createStatement();
         var rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
      rows.next();
      return rows.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first column of the first row of {@code sql} as text (null when there is no row), read with plain JDBC. */
  public String text(String sql) {
    try (var connection = java.sql.DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
         var statement = connection.createStatement();
         var rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public Future<Void> stop() {
    Future<Void> closed = platform == null ? Future.succeededFuture() : platform.close();
    return closed.andThen(done -> TestServers.dropDatabase(database)).mapEmpty();
  }
}
