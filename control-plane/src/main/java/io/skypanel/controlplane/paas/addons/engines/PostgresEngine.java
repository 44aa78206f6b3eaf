package io.skypanel.controlplane.paas.addons.engines;

import io.skypanel.controlplane.runtime.orchestration.DesiredService.HealthcheckSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.skypanel.controlplane.paas.addons.engines.Shell.exportFile;
import static io.skypanel.controlplane.paas.addons.engines.Shell.quote;

/**
 * PostgreSQL, driven through the official {@code postgres} image's contract ({@code POSTGRES_USER},
 * {@code POSTGRES_PASSWORD_FILE}, {@code POSTGRES_DB}, {@code PGDATA}); the platform's {@code skypanel/addon-postgres}
 * honours the same. The add-on's user is the cluster's superuser (initdb's user), alone on its own server.
 */
public final class PostgresEngine extends ConfiguredEngine {

  /** The catalog's service name. */
  public static final String SERVICE = "postgresql";
  static final int PORT = 5432;
  static final String DATA = "/var/lib/postgresql/data";

  public PostgresEngine(AddonImages images) {
    super(images, SERVICE, PORT, DATA, "DATABASE_URL");
  }

  @Override
  public AddonCredentials generateCredentials() {
    // not "postgres" and never "pg_..." (reserved role names)
    return new AddonCredentials(Shell.identifier("u", 13), Shell.password(24), Shell.identifier("d", 13));
  }

  @Override
  public Map<String, String> serverEnvironment(AddonCredentials credentials, String passwordFile) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("POSTGRES_USER", credentials.user());
    env.put("POSTGRES_PASSWORD_FILE", passwordFile);
    env.put("POSTGRES_DB", credentials.database());
    env.put("PGDATA", DATA);
    return env;
  }

  @Override
  public List<String> serverCommand(String passwordFile) {
    return null;
  }

  @Override
  public HealthcheckSpec healthcheck(AddonCredentials credentials, String passwordFile) {
    // over TCP with the password: the init phase's server listens on the socket only, so this passes only once the
    // real server accepts the add-on's login
    String command = exportFile("PGPASSWORD", passwordFile) + " && psql " + connection("127.0.0.1", credentials)
        + " --no-psqlrc -tAc 'SELECT 1' >/dev/null || exit 1";
    return new HealthcheckSpec("cmd", null, null, command, 5, 5, 5, 60);
  }

  @Override
  public String connectionUrl(String host, AddonCredentials credentials) {
    return "postgres://" + Shell.url(credentials.user()) + ":" + Shell.url(credentials.password()) + "@" + host + ":" + PORT
        + "/" + Shell.url(credentials.database());
  }

  /** {@code pg_dump}'s custom format: one consistent snapshot (a repeatable-read transaction), compressed by the caller. */
  @Override
  public String dumpCommand(String host, AddonCredentials credentials, String passwordFile, String outFile) {
    return exportFile("PGPASSWORD", passwordFile) + " && exec pg_dump " + connection(host, credentials)
        + " --format=custom --compress=0 --no-owner --file=" + quote(outFile);
  }

  /**
   * Every object of the dump dropped (if present) and recreated in one transaction: a failed restore leaves the
   * database as it was. Objects created after the dump that it does not contain are kept.
   */
  @Override
  public String restoreCommand(String host, AddonCredentials credentials, String passwordFile, String inFile) {
    return exportFile("PGPASSWORD", passwordFile) + " && exec pg_restore " + connection(host, credentials)
        + " --clean --if-exists --no-owner --single-transaction --exit-on-error " + quote(inFile);
  }

  /**
   * The same restore reading the archive on standard input: pg_restore reads the custom format in order, and in one
   * transaction that cannot commit before the archive's end, so it may start while the dump still arrives.
   */
  @Override
  public String restoreFromInputCommand(String host, AddonCredentials credentials, String passwordFile) {
    return exportFile("PGPASSWORD", passwordFile) + " && exec pg_restore " + connection(host, credentials)
        + " --clean --if-exists --no-owner --single-transaction --exit-on-error";
  }

  /** psql reads the new password with its own backquote substitution, so it is never in an argument list. */
  @Override
  public String rotateCommand(String host, AddonCredentials credentials, String oldPasswordFile, String newPasswordFile) {
    String script = "\\set pw `cat " + quote(newPasswordFile) + "`\nALTER ROLE CURRENT_USER PASSWORD :'pw';\n";
    return exportFile("PGPASSWORD", oldPasswordFile) + " && printf '%s' " + quote(script) + " | psql "
        + connection(host, credentials) + " --no-psqlrc -v ON_ERROR_STOP=1 -q";
  }

  /** The add-on's database's size and the other client sessions on the server (this query's own excluded). */
  @Override
  public String metricsCommand(AddonCredentials credentials, String passwordFile) {
    String sql = "SELECT 'size_bytes=' || pg_database_size(current_database()) UNION ALL SELECT 'connections=' || count(*)"
        + " FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";
    return exportFile("PGPASSWORD", passwordFile) + " && exec psql " + connection("127.0.0.1", credentials)
        + " --no-psqlrc -v ON_ERROR_STOP=1 -tAc " + quote(sql);
  }

  @Override
  public ServerMetrics parseMetrics(String output) {
    var fields = ServerMetrics.fields(output);
    return new ServerMetrics(ServerMetrics.number(fields, "size_bytes"), ServerMetrics.number(fields, "connections"));
  }

  /** SIGINT is PostgreSQL's fast shutdown: open sessions are ended, then a checkpoint, so the next start needs no recovery. */
  @Override
  public String stopSignal() {
    return "SIGINT";
  }

  private static String connection(String host, AddonCredentials credentials) {
    return "--host=" + quote(host) + " --port=" + PORT + " --username=" + quote(credentials.user())
        + " --dbname=" + quote(credentials.database());
  }
}
