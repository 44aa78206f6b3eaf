package io.skypanel.controlplane.paas.addons.engines;

import io.skypanel.controlplane.runtime.orchestration.DesiredService.HealthcheckSpec;

import java.util.List;
import java.util.Map;

import static io.skypanel.controlplane.paas.addons.engines.Shell.exportFile;
import static io.skypanel.controlplane.paas.addons.engines.Shell.quote;

/**
 * Redis, driven like the official {@code redis} image: it has no password variable, so the server's command
 * hands {@code requirepass} to {@code redis-server} as configuration on stdin (never in its argument list), with
 * the append-only file on in {@code /data}. Dumps are RDB snapshots ({@code redis-cli --rdb}); see
 * {@link RedisRestore} for how one is restored.
 */
public final class RedisEngine extends ConfiguredEngine {

  /** The catalog's service name. */
  public static final String SERVICE = "redis";
  static final int PORT = 6379;
  static final String DATA = "/data";
  /** The login every Redis add-on has (Redis 6 ACL's default user, which requirepass sets). */
  static final String USER = "default";

  public RedisEngine(AddonImages images) {
    super(images, SERVICE, PORT, DATA, "REDIS_URL");
  }

  @Override
  public AddonCredentials generateCredentials() {
    return new AddonCredentials(USER, Shell.password(24), "0");
  }

  @Override
  public Map<String, String> serverEnvironment(AddonCredentials credentials, String passwordFile) {
    return Map.of();
  }

  /**
   * {@code sh -c}: the image's entrypoint (both images: {@code docker-entrypoint.sh}, which takes ownership of a
   * new volume and drops to the redis user) runs {@code redis-server -}, reading {@code requirepass} from a here
   * document; {@code exec} keeps the server the process the init forwards SIGTERM to.
   */
  @Override
  public List<String> serverCommand(String passwordFile) {
    return List.of("sh", "-c", RedisRestore.CONFIG_ESCAPED_PASSWORD + quote(passwordFile) + ")\n"
        + "exec docker-entrypoint.sh redis-server - --appendonly yes --dir " + DATA + " <<EOF\n"
        + "requirepass \"$pw\"\n"
        + "EOF\n");
  }

  @Override
  public HealthcheckSpec healthcheck(AddonCredentials credentials, String passwordFile) {
    String command = exportFile("REDISCLI_AUTH", passwordFile) + " && redis-cli -h 127.0.0.1 -p " + PORT
        + " ping | grep -q PONG || exit 1";
    return new HealthcheckSpec("cmd", null, null, command, 5, 5, 5, 30);
  }

  @Override
  public String connectionUrl(String host, AddonCredentials credentials) {
    return "redis://" + Shell.url(credentials.user()) + ":" + Shell.url(credentials.password()) + "@" + host + ":" + PORT;
  }

  /** An RDB snapshot of every database, made by the server ({@code BGSAVE}-style) and streamed to the client. */
  @Override
  public String dumpCommand(String host, AddonCredentials credentials, String passwordFile, String outFile) {
    return exportFile("REDISCLI_AUTH", passwordFile) + " && redis-cli -h " + quote(host) + " -p " + PORT + " --rdb "
        + quote(outFile) + " >/dev/null";
  }

  @Override
  public String restoreCommand(String host, AddonCredentials credentials, String passwordFile, String inFile) {
    return RedisRestore.command(host, PORT, passwordFile, inFile);
  }

  /**
   * {@code INFO clients} (its {@code connected_clients} counts this redis-cli too) and {@code INFO memory}, then the
   * bytes the snapshot and append-only files take in the data directory.
   */
  @Override
  public String metricsCommand(AddonCredentials credentials, String passwordFile) {
    return exportFile("REDISCLI_AUTH", passwordFile) + " && redis-cli -h 127.0.0.1 -p " + PORT + " INFO clients memory"
        + " && echo \"disk_bytes=$(du -sb " + DATA + " | cut -f1)\"";
  }

  /** Size: the files on disk (RDB and AOF); connections: the clients other than the metrics query's own. */
  @Override
  public ServerMetrics parseMetrics(String output) {
    var fields = ServerMetrics.fields(output.replace("\r", ""));
    return new ServerMetrics(ServerMetrics.number(fields, "disk_bytes"), Math.max(0, ServerMetrics.number(fields, "connected_clients") - 1));
  }

  /** {@code CONFIG SET requirepass} on stdin; the add-on's secret must be replaced too, since a restart reads it. */
  @Override
  public String rotateCommand(String host, AddonCredentials credentials, String oldPasswordFile, String newPasswordFile) {
    return exportFile("REDISCLI_AUTH", oldPasswordFile) + " && " + RedisRestore.CONFIG_ESCAPED_PASSWORD + quote(newPasswordFile)
        + ") && printf 'CONFIG SET requirepass \"%s\"\\n' \"$pw\" | redis-cli -h " + quote(host) + " -p " + PORT
        + " | grep -q '^OK'";
  }
}
