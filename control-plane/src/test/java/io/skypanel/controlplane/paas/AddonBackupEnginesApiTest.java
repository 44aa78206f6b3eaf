package io.skypanel.controlplane.paas;

import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.PaasTenant;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import static io.skypanel.controlplane.paas.AddonsApiTest.CONVERGE;
import static io.skypanel.controlplane.paas.AddonsApiTest.as;
import static io.skypanel.controlplane.paas.AddonsApiTest.awaitAddon;
import static io.skypanel.controlplane.paas.AddonsApiTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backup and restore round trips of MySQL (MariaDB) and Redis add-ons through the API against the real engine:
 * in place and, for MySQL, into a new add-on (another user and database). Each add-on lives in its own environment
 * whose release image is the add-on's own, so one-off runs have its client.
 */
class AddonBackupEnginesApiTest extends ApiTestBase {

  private static ApiClient.Session owner;
  private static String org;
  private static String appId;
  private static PaasTenant tenant;

  @BeforeAll
  static void organization() {
    tenant = PaasTenant.create("Backup Engines");
    owner = tenant.owner;
    org = tenant.org;
    appId = tenant.app("engines")[0];
  }

  @AfterAll
  static void removeLeftovers() throws InterruptedException {
    if (tenant != null) {
      tenant.removeLeftovers(CONVERGE);
    }
  }

  /** An environment running {@code image}'s shell, with a new add-on of {@code plan}; [environment, add-on]. */
  private static String[] environmentWithAddon(String name, String image, String plan) {
    String envId = tenant.environment(appId, name);
    tenant.runWorker(envId, image);
    String addonId = tenant.createAddon(envId, plan, name + "-data").getString("id");
    tenant.awaitAddon(addonId, "available", CONVERGE);
    return new String[] {envId, addonId};
  }

  private static String eventuallySucceeds(String envId, String command) {
    return tenant.eventuallySucceeds(envId, command, CONVERGE);
  }

  private static String completedBackup(String addonId) {
    String id = ok(as(owner, org, HttpMethod.POST, "/api/paas/addons/" + addonId + "/backups", null), 202).getString("id");
    Eventually.await("backup " + id + " completed", CONVERGE, () -> {
      JsonObject backup = ok(as(owner, org, HttpMethod.GET, "/api/paas/addons/" + addonId + "/backups/" + id, null), 200);
      assertThat(backup.getString("status")).as(backup.encode()).isIn("pending", "running", "completed");
      return "completed".equals(backup.getString("status")) ? backup : null;
    });
    return id;
  }

  /** Restores and waits until the restore completed; the add-on restored into. */
  private static String restored(String addonId, String backupId, JsonObject body) {
    JsonObject restore = ok(as(owner, org, HttpMethod.POST, "/api/paas/addons/" + addonId + "/backups/" + backupId + "/restore", body), 202);
    String path = "/api/paas/addons/" + restore.getString("addon_id") + "/restores/" + restore.getString("id");
    Eventually.await("restore completed", CONVERGE.multipliedBy(2), () -> {
      JsonObject now = ok(as(owner, org, HttpMethod.GET, path, null), 200);
      assertThat(now.getString("status")).as(now.encode()).isIn("pending", "running", "completed");
      return "completed".equals(now.getString("status")) ? now : null;
    });
    return awaitAddon(owner, org, restore.getString("addon_id"), "available").getString("id");
  }

  /** The mariadb client on the URL in {@code variable} (the add-on's passwords are URL-safe). */
  private static String mariadb(String variable, String sql) {
    return "eval \"$(printf '%s' \"$" + variable + "\" | sed -E 's#^mysql://([^:]+):([^@]+)@([^:/]+):([0-9]+)/(.*)$#U=\\1 P=\\2 H=\\3 D=\\5#')\"; "
        + "MYSQL_PWD=\"$P\" mariadb -h \"$H\" -u \"$U\" -N \"$D\" -e \"" + sql + "\"";
  }

  @Test
  void mysql_backup_restores_in_place_and_into_a_new_addon_with_its_trigger() {
    String[] created = environmentWithAddon("mysqlenv", "skypanel/addon-mariadb:10.11", "mysql-mini");
    String envId = created[0];
    String addonId = created[1];
    eventuallySucceeds(envId, mariadb("MYSQL_URL", "CREATE TABLE t (v INT); CREATE TABLE audit (v INT); "
        + "CREATE TRIGGER t_audit AFTER INSERT ON t FOR EACH ROW INSERT INTO audit VALUES (NEW.v); INSERT INTO t VALUES (1), (2)"));
    String backupId = completedBackup(addonId);
    eventuallySucceeds(envId, mariadb("MYSQL_URL", "DROP TABLE t"));
    restored(addonId, backupId, new JsonObject());
    assertThat(eventuallySucceeds(envId, mariadb("MYSQL_URL", "SELECT GROUP_CONCAT(v ORDER BY v) FROM t"))).isEqualTo("1,2");

    String copy = restored(addonId, backupId, new JsonObject().put("target", "new").put("name", "mysql-copy"));
    String variable = ok(as(owner, org, HttpMethod.GET, "/api/paas/addons/" + copy, null), 200).getString("config_var");
    // the trigger came along and fires for its new owner
    assertThat(eventuallySucceeds(envId, mariadb(variable, "INSERT INTO t VALUES (3); SELECT COUNT(*) FROM audit"))).isEqualTo("3");
  }

  @Test
  void redis_backup_restores_the_snapshot_in_place() {
    String[] created = environmentWithAddon("redisenv", "skypanel/addon-redis:7", "redis-mini");
    String envId = created[0];
    String addonId = created[1];
    eventuallySucceeds(envId, "redis-cli --no-auth-warning -u \"$REDIS_URL\" SET k original");
    String backupId = completedBackup(addonId);
    eventuallySucceeds(envId, "redis-cli --no-auth-warning -u \"$REDIS_URL\" SET k changed && redis-cli --no-auth-warning -u \"$REDIS_URL\" SET later 1");
    restored(addonId, backupId, new JsonObject());
    assertThat(eventuallySucceeds(envId, "redis-cli --no-auth-warning -u \"$REDIS_URL\" GET k; redis-cli --no-auth-warning -u \"$REDIS_URL\" EXISTS later"))
        .isEqualTo("original\n0");
  }
}
