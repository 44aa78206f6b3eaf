package io.skypanel.common.db;

import io.skypanel.common.config.Settings;
import io.vertx.pgclient.PgConnectOptions;

import java.net.URI;

/**
 * Where PostgreSQL is and how many connections to hold. Accepts {@code postgres://user:pass@host:port/db}
 * and {@code jdbc:postgresql://host:port/db?user=..&password=..}; the JDBC form is what Flyway needs, so both
 * are derived from one setting.
 */
public record DatabaseOptions(String host, int port, String database, String user, String password, int poolSize) {

  public static DatabaseOptions from(Settings settings) {
    String url = settings.optional("DATABASE_URL");
    if (url == null) {
      throw new IllegalStateException("DATABASE_URL is not set");
    }
    return parse(url, settings.integer("DATABASE_POOL_SIZE", 10));
  }

  public static DatabaseOptions parse(String url, int poolSize) {
    String normalized = url.startsWith("jdbc:") ? url.substring(5) : url;
    normalized = normalized.replaceFirst("^postgresql://", "postgres://");
    URI uri = URI.create(normalized);
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : null;
    }
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        if (kv.length == 2 && kv[0].equals("user")) {
          user = decode(kv[1]);
        } else if (kv.length == 2 && kv[0].equals("password")) {
          password = decode(kv[1]);
        }
      }
    }
    String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
    return new DatabaseOptions(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5432, database,
        user == null ? "postgres" : user, password, poolSize);
  }

  private static String decode(String value) {
    return java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions().setHost(host).setPort(port).setDatabase(database)
        .setUser(user).setPassword(password).setCachePreparedStatements(true);
  }

  /** Same server, another database: tests create a fresh database per run. */
  public DatabaseOptions withDatabase(String name) {
    return new DatabaseOptions(host, port, name, user, password, poolSize);
  }

  @Override
  public String toString() {
    // never print the password
    return "postgres://" + user + "@" + host + ":" + port + "/" + database;
  }
}
