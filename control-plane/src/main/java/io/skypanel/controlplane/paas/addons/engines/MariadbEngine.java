package io.skypanel.controlplane.paas.addons.engines;

import io.skypanel.controlplane.runtime.orchestration.DesiredService.HealthcheckSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.skypanel.controlplane.paas.addons.engines.Shell.exportFile;
import static io.skypanel.controlplane.paas.addons.engines.Shell.quote;

/**
 * MySQL-compatible add-ons on MariaDB, driven through the official {@code mariadb} image's contract
 * ({@code MARIADB_USER}, {@code MARIADB_PASSWORD_FILE}, {@code MARIADB_DATABASE}, {@code MARIADB_ROOT_PASSWORD_FILE},
 * {@code MARIADB_ROOT_HOST}); the platform's {@code skypanel/addon-mariadb} honours the same. The add-on's user
 * owns its database; root may only log in inside the container.
 */
public final class MariadbEngine extends ConfiguredEngine {

  /** The catalog's service name. */
  public static final String SERVICE = "mysql";
  static final int PORT = 3306;
  static final String DATA = "/var/lib/mysql";

  /** The shell fragment that leaves the new password of {@code $1}'s file SQL-escaped in {@code $pw}. */
  private static final String SQL_ESCAPED_PASSWORD = "pw=$(sed -e 's/\\\\/\\\\\\\\/g' -e \"s/'/\\\\\\\\'/g\" ";

  /**
   * A sed expression removing {@code DEFINER=`user`@`host`} (also inside versioned comments) from a dump's
   * statements, never from its rows ({@code INSERT} lines keep their data as it was).
   */
  static final String STRIP_DEFINER = "/^INSERT INTO /!s/DEFINER=`[^`]*`@`[^`]*`//g";

  public MariadbEngine(AddonImages images) {
    super(images, SERVICE, PORT, DATA, "MYSQL_URL");
  }

  @Override
  public AddonCredentials generateCredentials() {
    // MariaDB user names: at most 80 characters, database names 64
    return new AddonCredentials(Shell.identifier("u", 13), Shell.password(24), Shell.identifier("d", 13));
  }

  @Override
  public Map<String, String> serverEnvironment(AddonCredentials credentials, String passwordFile) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MARIADB_USER", credentials.user());
    env.put("MARIADB_PASSWORD_FILE", passwordFile);
    env.put("MARIADB_DATABASE", credentials.database());
    // root gets the add-on's password but only from inside the container: no random root password in the task log
    env.put("MARIADB_ROOT_PASSWORD_FILE", passwordFile);
    env.put("MARIADB_ROOT_HOST", "localhost");
    return env;
  }

  @Override
  public List<String> serverCommand(String passwordFile) {
    return null;
  }

  @Override
  public HealthcheckSpec healthcheck(AddonCredentials credentials, String passwordFile) {
    // a query over TCP with the add-on's login (mariadb-admin ping also succeeds on "access denied"); the init
    // phase's server runs with --skip-networking, so this passes only once the real server is up
    String command = exportFile("MYSQL_PWD", passwordFile) + " && mariadb " + connection("127.0.0.1", credentials)
        + " --protocol=tcp -e 'SELECT 1' >/dev/null || exit 1";
    return new HealthcheckSpec("cmd", null, null, command, 5, 5, 5, 60);
  }

  @Override
  public String connectionUrl(String host, AddonCredentials credentials) {
    return "mysql://" + Shell.url(credentials.user()) + ":" + Shell.url(credentials.password()) + "@" + host + ":" + PORT
        + "/" + Shell.url(credentials.database());
  }

  /**
   * One consistent InnoDB snapshot ({@code --single-transaction}) with routines and triggers, of the database's
   * objects only (no {@code CREATE DATABASE}/{@code USE}): each table is dropped and recreated on restore, and the
   * dump restores into another add-on's database as well (a restore into a new add-on).
   */
  @Override
  public String dumpCommand(String host, AddonCredentials credentials, String passwordFile, String outFile) {
    return exportFile("MYSQL_PWD", passwordFile) + " && exec mariadb-dump " + connection(host, credentials)
        + " --single-transaction --routines --triggers --no-tablespaces --add-drop-table --result-file=" + quote(outFile)
        + " " + quote(credentials.database());
  }

  /**
   * Into the add-on's own database. {@code DEFINER} clauses are stripped first (the routines and triggers then
   * belong to the restoring user): another add-on's user may not create objects defined by a user it is not.
   */
  @Override
  public String restoreCommand(String host, AddonCredentials credentials, String passwordFile, String inFile) {
    return exportFile("MYSQL_PWD", passwordFile) + " && sed -i -e " + quote(STRIP_DEFINER) + " " + quote(inFile)
        + " && exec mariadb " + connection(host, credentials) + " --binary-mode " + quote(credentials.database()) + " < " + quote(inFile);
  }

  /** The new password reaches the server on stdin, SQL-escaped; SET PASSWORD for oneself needs no privilege. */
  @Override
  public String rotateCommand(String host, AddonCredentials credentials, String oldPasswordFile, String newPasswordFile) {
    return exportFile("MYSQL_PWD", oldPasswordFile) + " && " + SQL_ESCAPED_PASSWORD + quote(newPasswordFile) + ")"
        + " && printf \"SET PASSWORD = PASSWORD('%s');\\n\" \"$pw\" | mariadb " + connection(host, credentials);
  }

  /**
   * The add-on's database's tables and indexes as InnoDB accounts them, and {@code Threads_connected} less this
   * query's own connection.
   */
  @Override
  public String metricsCommand(AddonCredentials credentials, String passwordFile) {
    String sql = "SELECT CONCAT('size_bytes=', COALESCE(SUM(data_length + index_length), 0)) FROM information_schema.tables"
        + " WHERE table_schema = DATABASE();"
        + " SELECT CONCAT('connections=', VARIABLE_VALUE - 1) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'THREADS_CONNECTED';";
    return exportFile("MYSQL_PWD", passwordFile) + " && exec mariadb " + connection("127.0.0.1", credentials) + " --protocol=tcp"
        + " --database=" + quote(credentials.database()) + " --batch --skip-column-names -e " + quote(sql);
  }

  @Override
  public ServerMetrics parseMetrics(String output) {
    var fields = ServerMetrics.fields(output);
    return new ServerMetrics(ServerMetrics.number(fields, "size_bytes"), ServerMetrics.number(fields, "connections"));
  }

  private static String connection(String host, AddonCredentials credentials) {
    return "--host=" + quote(host) + " --port=" + PORT + " --user=" + quote(credentials.user());
  }
}
