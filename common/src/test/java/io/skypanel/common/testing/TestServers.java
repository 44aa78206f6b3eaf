package io.skypanel.common.testing;

import io.skypanel.common.db.DatabaseOptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The real servers the tests use, prepared by {@code ./skypanel test}: a PostgreSQL role that may create
 * databases and a Redis. Each test class gets its own empty database and its own Redis key prefix, so
 * tests never see each other's rows or counters.
 */
public final class TestServers {

  /** Administrative connection; override with {@code SKYPANEL_TEST_DATABASE_URL}. */
  public static final String DATABASE_URL = env("SKYPANEL_TEST_DATABASE_URL", "postgres://skypanel:skypanel@127.0.0.1:5432/postgres");
  public static final String REDIS_URL = env("SKYPANEL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0");

  private TestServers() {
  }

  /** Creates an empty database and returns its options; drop it with {@link #dropDatabase}. */
  public static DatabaseOptions createDatabase() {
    DatabaseOptions admin = DatabaseOptions.parse(DATABASE_URL, 4);
    String name = "skp_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    execute(admin, "CREATE DATABASE " + name);
    return admin.withDatabase(name);
  }

  public static void dropDatabase(DatabaseOptions options) {
    DatabaseOptions admin = DatabaseOptions.parse(DATABASE_URL, 4);
    // WITH (FORCE) cannot end a superuser's backend, e.g. an autovacuum worker that just started on the fresh
    // database; such a worker finishes quickly, so a few more tries succeed
    for (int attempt = 1; ; attempt++) {
      try {
        execute(admin, "DROP DATABASE IF EXISTS " + options.database() + " WITH (FORCE)");
        return;
      } catch (IllegalStateException e) {
        if (attempt == 10) {
          throw e;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L * attempt);
      }
    }
  }

  /** A Redis key prefix no other test uses. */
  public static String redisPrefix() {
    return "skptest:" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  /** Runs one statement over JDBC; test setup only, never on an event loop. */
  public static void execute(DatabaseOptions options, String sql) {
    try (Connection connection = DriverManager.getConnection(options.jdbcUrl(), options.user(), options.password());
         Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test database statement failed: " + sql, e);
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
