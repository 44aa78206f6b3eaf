package io.skypanel.logs.support;

import io.skypanel.common.Platform;
import io.skypanel.common.PlatformBootstrap;
import io.skypanel.common.config.PlatformConfig;
import io.skypanel.common.db.DatabaseOptions;
import io.skypanel.common.metrics.Metrics;
import io.skypanel.common.testing.TestServers;
import io.skypanel.logs.LogTailVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * A real log service for tests: its own migrated PostgreSQL database, the test Redis under a private prefix, the
 * local Docker engine, and the listener on a free loopback port. Rows are seeded with plain JDBC.
 */
public final class LogTailServer {

  private final DatabaseOptions database;
  private Platform platform;
  private LogTailVerticle verticle;

  private LogTailServer(DatabaseOptions database) {
    this.database = database;
  }

  public static Future<LogTailServer> start(Vertx vertx, JsonObject overrides) {
    DatabaseOptions database = TestServers.createDatabase();
    LogTailServer server = new LogTailServer(database);
    Path dataDir;
    try {
      dataDir = Files.createTempDirectory("skypanel-logs-test");
    } catch (java.io.IOException e) {
      return Future.failedFuture(e);
    }
    JsonObject settings = new JsonObject()
        .put("DATABASE_URL", "postgres://" + database.user() + ":" + database.password() + "@" + database.host() + ":" + database.port() + "/" + database.database())
        .put("REDIS_URL", TestServers.REDIS_URL)
        .put("SKYPANEL_REDIS_PREFIX", TestServers.redisPrefix())
        .put("SKYPANEL_LOGS_PORT", "0")
        .put("SKYPANEL_BIND_HOST", "127.0.0.1")
        .put("SKYPANEL_DATA_DIR", dataDir.toString())
        .mergeIn(overrides);
    Metrics metrics = new Metrics();
    return PlatformConfig.load(vertx, settings)
        // the control plane owns the schema; here the test applies it the same way
        .compose(loaded -> PlatformBootstrap.start(vertx, loaded, metrics, true))
        .compose(platform -> {
          server.platform = platform;
          server.verticle = new LogTailVerticle(platform);
          return vertx.deployVerticle(server.verticle);
        })
        .map(server);
  }

  public int port() {
    return Integer.parseInt(verticle.endpoints().get(0).replaceAll("^http://[^:]+:(\\d+).*$", "$1"));
  }

  public LogTailVerticle verticle() {
    return verticle;
  }

  public Platform platform() {
    return platform;
  }

  /** A user with a personal organization; returns the user id. */
  public UUID user(String email) {
    UUID user = UUID.fromString(value("INSERT INTO users (email, name, password_hash) VALUES (?, ?, 'x') RETURNING id", email, email));
    UUID org = organization(email.replaceAll("[^a-z0-9]", "-") + "-personal", user, "owner");
    update("UPDATE organizations SET personal = true WHERE id = ?::uuid", org.toString());
    update("UPDATE users SET personal_organization_id = ?::uuid WHERE id = ?::uuid", org.toString(), user.toString());
    return user;
  }

  /** A new organization with {@code member} in {@code role}. */
  public UUID organization(String slug, UUID member, String role) {
    UUID org = UUID.fromString(value("INSERT INTO organizations (name, slug) VALUES (?, ?) RETURNING id", slug, slug));
    member(org, member, role);
    return org;
  }

  public void member(UUID organization, UUID user, String role) {
    update("INSERT INTO organization_members (organization_id, user_id, role) VALUES (?::uuid, ?::uuid, ?)", organization.toString(), user.toString(), role);
  }

  /** A container row; {@code serviceId} may be null (never deployed). */
  public UUID container(UUID organization, String name, String serviceId) {
    return UUID.fromString(value("INSERT INTO paas_containers (organization_id, name, image_ref, cpu, memory_mb, status, swarm_service_id) "
        + "VALUES (?::uuid, ?, 'busybox', 0.5, 64, ?, ?) RETURNING id", organization.toString(), name, serviceId == null ? "stopped" : "running", serviceId));
  }

  /** An app named {@code slug} with one environment ({@code production}); returns the environment id. */
  public UUID environment(UUID organization, String slug) {
    String app = value("INSERT INTO paas_apps (organization_id, name, slug) VALUES (?::uuid, ?, ?) RETURNING id", organization.toString(), slug, slug);
    return UUID.fromString(value("INSERT INTO paas_environments (organization_id, app_id, name) VALUES (?::uuid, ?::uuid, 'production') RETURNING id",
        organization.toString(), app));
  }

  /**
   * An add-on of the environment's app on the catalog's {@code postgresql-mini} plan, as the control plane records a
   * provisioned one; {@code serviceId} may be null (no server yet).
   */
  public UUID addon(UUID environment, String name, String serviceId) {
    return UUID.fromString(value("INSERT INTO paas_addons (organization_id, app_id, environment_id, name, plan_id, provider, config_var_prefix, "
        + "status, swarm_service_id) SELECT e.organization_id, e.app_id, e.id, ?, p.id, p.provider, 'DATABASE_URL', 'available', ? "
        + "FROM paas_environments e, paas_addon_plans p WHERE e.id = ?::uuid AND p.slug = 'postgresql-mini' RETURNING id",
        name, serviceId, environment.toString()));
  }

  /** A build of the environment's app in {@code status}, as the control plane records a queued or running one. */
  public UUID build(UUID environment, String status) {
    return UUID.fromString(value("INSERT INTO paas_builds (organization_id, app_id, environment_id, origin, status) "
        + "SELECT organization_id, app_id, id, 'upload', ? FROM paas_environments WHERE id = ?::uuid RETURNING id", status, environment.toString()));
  }

  /** Records a build's end and its kept log, as the control plane does when the build ends. */
  public void finishBuild(UUID build, String status, String log) {
    update("UPDATE paas_builds SET status = ?, log = ?, finished_at = now() WHERE id = ?::uuid", status, log, build.toString());
  }

  /** Records the Swarm service running a container (what the control plane's deployer does). */
  public void attachService(UUID container, String serviceId) {
    update("UPDATE paas_containers SET swarm_service_id = ?, status = 'running' WHERE id = ?::uuid", serviceId, container.toString());
  }

  public String token(UUID user) {
    return platform.accessTokens().issue(user);
  }

  public Future<Void> stop() {
    Future<Void> closed = platform == null ? Future.succeededFuture() : platform.close();
    return closed.andThen(done -> TestServers.dropDatabase(database)).mapEmpty();
  }

  private String value(String sql, String... args) {
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
         PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        statement.setString(i + 1, args[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getString(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  private void update(String sql, String... args) {
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
         PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        statement.setString(i + 1, args[i]);
      }
      statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
