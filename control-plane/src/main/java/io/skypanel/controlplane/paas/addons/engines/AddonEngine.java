package io.skypanel.controlplane.paas.addons.engines;

import io.skypanel.controlplane.runtime.orchestration.DesiredService.HealthcheckSpec;

import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * What the platform knows about one kind of data service (PostgreSQL, MySQL/MariaDB, Redis): how its server is
 * started from an image that follows the official image's conventions, how clients reach it, and how it is dumped
 * and restored. Provisioning, attachments and backups are written against this interface only, so a new service
 * kind is one more implementation.
 *
 * <p>Passwords never appear in an environment variable, a command line or a label of the add-on's own service:
 * they are Swarm secrets mounted under {@code /run/secrets}, and every command here reads them from the file it
 * is given.
 */
public interface AddonEngine {

  /** The catalog's service name ({@code paas_addon_plans.provider}): {@code postgresql}, {@code mysql}, {@code redis}. */
  String service();

  /** The image for {@code version} (e.g. {@code 15}), from configuration; null when that version is not offered. */
  String image(String version);

  /** The port the server listens on inside the add-on's network. */
  int port();

  /** Where the add-on's named volume is mounted in its task (the server's data directory). */
  String dataDirectory();

  /** The classic environment variable apps read, e.g. {@code DATABASE_URL}, {@code MYSQL_URL}, {@code REDIS_URL}. */
  String urlVariable();

  /** Credentials for a new add-on: a random password, and the user and database the engine's conventions want. */
  AddonCredentials generateCredentials();

  /**
   * The server's environment (no secret values: {@code *_FILE} variables point at {@code passwordFile}).
   *
   * @param passwordFile absolute path of the mounted secret holding {@code credentials.password()}
   */
  Map<String, String> serverEnvironment(AddonCredentials credentials, String passwordFile);

  /**
   * The server's command: the image's CMD ({@code DesiredService.cmd}, the image's ENTRYPOINT stays), or null to keep
   * the image's own.
   */
  List<String> serverCommand(String passwordFile);

  /** The health check that says the server accepts authenticated connections. */
  HealthcheckSpec healthcheck(AddonCredentials credentials, String passwordFile);

  /** The URL an app connects with (contains the password: only ever stored sealed or in a Swarm secret). */
  String connectionUrl(String host, AddonCredentials credentials);

  /**
   * A shell command (run with {@code /bin/sh -c} in a task of the add-on's own image, on its network) that writes a
   * consistent dump of the whole database to stdout-compatible {@code outFile}, uncompressed; the caller compresses.
   */
  String dumpCommand(String host, AddonCredentials credentials, String passwordFile, String outFile);

  /** A shell command that replaces the database's content with the dump in {@code inFile}. */
  String restoreCommand(String host, AddonCredentials credentials, String passwordFile, String inFile);

  /**
   * A shell command that replaces the database's content with the dump it reads on standard input while the dump
   * still arrives, or null when this engine cannot do that safely. Only an engine whose restore is all-or-nothing
   * and cannot finish before the input's last byte may answer: the caller holds the dump's last bytes back until
   * their checksum is proven, so a damaged dump ends the input early and the restore changes nothing.
   */
  default String restoreFromInputCommand(String host, AddonCredentials credentials, String passwordFile) {
    return null;
  }

  /**
   * A shell command that changes the add-on's password from the one in {@code oldPasswordFile} to the one in
   * {@code newPasswordFile}, run against the live server (credential rotation).
   */
  String rotateCommand(String host, AddonCredentials credentials, String oldPasswordFile, String newPasswordFile);

  /**
   * A shell command run inside the server's own task (an exec, {@code /bin/sh -c}) that asks the server over
   * 127.0.0.1 with the password in {@code passwordFile} for its size on disk and its client connections; its output
   * is what {@link #parseMetrics} reads.
   */
  String metricsCommand(AddonCredentials credentials, String passwordFile);

  /**
   * The figures in the output of {@link #metricsCommand}.
   *
   * @throws IllegalArgumentException when the output lacks one
   */
  ServerMetrics parseMetrics(String output);

  /**
   * Capabilities the server's task needs on top of none (added back after dropping ALL): like the official images,
   * the entrypoint starts as root to take ownership of a new volume, then drops to the server's own user.
   * (Added to the contract by the add-on images work.)
   */
  default Set<String> capabilities() {
    return Set.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID");
  }

  /**
   * The file mode the password secret is mounted with: the server reads {@code *_FILE} after dropping to its own
   * user, whose uid differs between images, so the file must be readable by all (only the add-on's own task runs
   * in its container). (Added to the contract by the add-on images work.)
   */
  default int passwordFileMode() {
    return 0444;
  }

  /** The signal Swarm stops the server with (then, after the stop grace period, SIGKILL). */
  default String stopSignal() {
    return "SIGTERM";
  }
}
