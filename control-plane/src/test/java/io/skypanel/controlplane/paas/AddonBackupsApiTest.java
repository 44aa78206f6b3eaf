package io.skypanel.controlplane.paas;

import io.micrometer.core.instrument.Counter;
import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.PaasTenant;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;

import static io.skypanel.controlplane.paas.AddonsApiTest.CONVERGE;
import static io.skypanel.controlplane.paas.AddonsApiTest.POSTGRES_IMAGE;
import static io.skypanel.controlplane.paas.AddonsApiTest.as;
import static io.skypanel.controlplane.paas.AddonsApiTest.awaitAddon;
import static io.skypanel.controlplane.paas.AddonsApiTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups and restores of one PostgreSQL add-on through the API against the real Swarm engine: dump and restore in
 * place, download, a backup taken under writes restored into a new add-on, a failed backup, tenancy and roles, and
 * the final backup of a deleted add-on. Ordered: later tests use the data earlier ones left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AddonBackupsApiTest extends ApiTestBase {

  /** A restore into a new add-on provisions it first. */
  private static final java.time.Duration RESTORE_WAIT = CONVERGE.multipliedBy(2);
  /** The filler table's rows and a digest of their content. */
  private static final String FILLER_DIGEST =
      "psql \"$DATABASE_URL\" -tAc 'select count(*) || $$ $$ || md5(string_agg(id || $$:$$ || t, $$,$$ order by id)) from filler'";
  private static final Path BACKUP_DIR = Path.of(System.getProperty("java.io.tmpdir"), "skypanel-backups-" + UUID.randomUUID());

  private static ApiClient.Session owner;
  private static ApiClient.Session viewer;
  private static ApiClient.Session stranger;
  private static String org;
  private static String strangerOrg;
  private static String envId;
  private static String addonId;
  private static String firstBackup;
  private static String revivedId;
  private static PaasTenant tenant;

  /** The scheduler looks often, so a due add-on gets its backup within the test's patience. */
  static JsonObject controlPlaneSettings() {
    return new JsonObject().put("SKYPANEL_BACKUP_DIR", BACKUP_DIR.toString()).put("SKYPANEL_BACKUP_SCHEDULE_INTERVAL_MS", "500")
        .put("SKYPANEL_BACKUP_ORPHAN_SWEEP_MS", "500");
  }

  @BeforeAll
  static void provisionedPostgres() {
    tenant = PaasTenant.create("Backups");
    owner = tenant.owner;
    viewer = tenant.viewer;
    stranger = tenant.stranger;
    org = tenant.org;
    strangerOrg = tenant.strangerOrg;
    envId = tenant.app("shop")[1];
    tenant.runWorker(envId, POSTGRES_IMAGE);
    addonId = tenant.createAddon(envId, "postgresql-mini", "main-db").getString("id");
  }

  @AfterAll
  static void removeLeftovers() throws InterruptedException {
    if (tenant == null) {
      return;
    }
    tenant.removeLeftovers(CONVERGE);
    try (var files = Files.walk(BACKUP_DIR)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (java.io.IOException e) {
      // nothing was stored
    }
  }

  /** A one-off run's output once it succeeds (a rollout onto a new release is not instant). */
  static String eventuallySucceeds(String command) {
    return Eventually.await("a run of " + command + " succeeds", CONVERGE, () -> {
      JsonObject run = AddonsApiTest.run(owner, org, envId, command);
      return "succeeded".equals(run.getString("status")) ? run.getString("output") : null;
    });
  }

  static String backups(String addon) {
    return "/api/paas/addons/" + addon + "/backups";
  }

  static JsonObject awaitBackup(String addon, String id, String status) {
    return Eventually.await("backup " + id + " " + status, CONVERGE, () -> {
      JsonObject backup = ok(as(owner, org, HttpMethod.GET, backups(addon) + "/" + id, null), 200);
      String now = backup.getString("status");
      assertThat(now).as(backup.encode()).isIn("pending", "running", status);
      return status.equals(now) ? backup : null;
    });
  }

  static JsonObject awaitRestore(JsonObject restore) {
    String path = "/api/paas/addons/" + restore.getString("addon_id") + "/restores/" + restore.getString("id");
    return Eventually.await("restore " + restore.getString("id") + " completed", RESTORE_WAIT, () -> {
      JsonObject now = ok(as(owner, org, HttpMethod.GET, path, null), 200);
      assertThat(now.getString("status")).as(now.encode()).isIn("pending", "running", "completed");
      return "completed".equals(now.getString("status")) ? now : null;
    });
  }


  @Test
  @Order(1)
  void a_backup_restored_in_place_brings_back_a_dropped_table() {
    awaitAddon(owner, org, addonId, "available");
    eventuallySucceeds("psql \"$DATABASE_URL\" -1 -v ON_ERROR_STOP=1 -c 'create table kept (v int)' -c 'insert into kept select generate_series(1, 3)'");
    // a few MiB, so the restore streams the dump into pg_restore as it arrives (RestoreScript.asItArrives)
    eventuallySucceeds("psql \"$DATABASE_URL\" -1 -v ON_ERROR_STOP=1 -c 'create table filler (id int primary key, t text)'"
        + " -c 'insert into filler select i, md5(i::text) || md5((i * 7)::text) from generate_series(1, 100000) i'");
    String fillerBefore = eventuallySucceeds(FILLER_DIGEST);
    JsonObject created = ok(as(owner, org, HttpMethod.POST, backups(addonId), null), 202);
    assertThat(created.getString("kind")).isEqualTo("manual");
    firstBackup = created.getString("id");
    JsonObject done = awaitBackup(addonId, firstBackup, "completed");
    assertThat(done.getLong("size_bytes")).as("big enough to be restored as it arrives")
        .isGreaterThan(2L << 20); // RestoreScript holds the last 1 MiB back; a dump this size streams
    assertThat(done.getString("sha256")).hasSize(64);
    assertThat(done.getString("expires_at")).isNotNull();
    assertThat(ok(as(viewer, org, HttpMethod.GET, backups(addonId), null), 200).getJsonArray("data")).hasSize(1);

    eventuallySucceeds("psql \"$DATABASE_URL\" -c 'drop table kept' -c 'delete from filler where id % 2 = 0'");
    JsonObject restore = ok(as(owner, org, HttpMethod.POST, backups(addonId) + "/" + firstBackup + "/restore", new JsonObject()), 202);
    assertThat(restore.getString("addon_id")).isEqualTo(addonId);
    assertThat(restore.getString("target")).isEqualTo("same");
    awaitRestore(restore);
    awaitAddon(owner, org, addonId, "available");
    assertThat(eventuallySucceeds("psql \"$DATABASE_URL\" -tAc 'select string_agg(v::text, $$,$$ order by v) from kept'")).isEqualTo("1,2,3");
    assertThat(eventuallySucceeds(FILLER_DIGEST)).as("every row, byte for byte").isEqualTo(fillerBefore);
  }

  @Test
  @Order(2)
  void download_is_the_gzip_whose_sha256_is_listed_and_only_members_with_rights_reach_it() throws Exception {
    String base = backups(addonId) + "/" + firstBackup;
    HttpResponse<Buffer> download = as(owner, org, HttpMethod.GET, base + "/download", null);
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.getHeader("Content-Type")).isEqualTo("application/gzip");
    assertThat(download.getHeader("Content-Disposition")).startsWith("attachment; filename=\"main-db-manual-");
    byte[] bytes = download.body().getBytes();
    assertThat(bytes[0] & 0xff).isEqualTo(0x1f);
    assertThat(bytes[1] & 0xff).isEqualTo(0x8b);
    JsonObject listed = ok(as(owner, org, HttpMethod.GET, base, null), 200);
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))).isEqualTo(listed.getString("sha256"));
    assertThat((long) bytes.length).isEqualTo(listed.getLong("size_bytes"));

    assertThat(as(viewer, org, HttpMethod.POST, backups(addonId), null).statusCode()).isEqualTo(403);
    assertThat(as(viewer, org, HttpMethod.POST, base + "/restore", new JsonObject()).statusCode()).isEqualTo(403);
    assertThat(as(viewer, org, HttpMethod.GET, base + "/download", null).statusCode()).isEqualTo(403);
    assertThat(as(stranger, strangerOrg, HttpMethod.GET, backups(addonId), null).statusCode()).isEqualTo(404);
    assertThat(as(stranger, strangerOrg, HttpMethod.POST, backups(addonId), null).statusCode()).isEqualTo(404);
    assertThat(as(stranger, strangerOrg, HttpMethod.GET, base, null).statusCode()).isEqualTo(404);
    assertThat(as(stranger, strangerOrg, HttpMethod.GET, base + "/download", null).statusCode()).isEqualTo(404);
    assertThat(as(stranger, strangerOrg, HttpMethod.POST, base + "/restore", new JsonObject()).statusCode()).isEqualTo(404);
    assertThat(errorCode(as(owner, org, HttpMethod.POST, base + "/restore", new JsonObject().put("target", "elsewhere")), 400)).isNotBlank();
  }

  @Test
  @Order(3)
  void a_stored_dump_damaged_after_its_backup_fails_its_restore_and_the_addon_keeps_its_data() throws Exception {
    Path stored = BACKUP_DIR.resolve(firstBackup + ".gz");
    byte[] original = Files.readAllBytes(stored);
    byte[] damaged = original.clone();
    damaged[damaged.length / 2] ^= 0x01; // one bit: still a readable gzip member up to there, caught by the checksum
    Files.write(stored, damaged);
    try {
      JsonObject restore = ok(as(owner, org, HttpMethod.POST, backups(addonId) + "/" + firstBackup + "/restore", new JsonObject()), 202);
      String path = "/api/paas/addons/" + addonId + "/restores/" + restore.getString("id");
      JsonObject failed = Eventually.await("the restore of a damaged dump failed", RESTORE_WAIT, () -> {
        JsonObject now = ok(as(owner, org, HttpMethod.GET, path, null), 200);
        assertThat(now.getString("status")).as(now.encode()).isIn("pending", "running", "failed");
        return "failed".equals(now.getString("status")) ? now : null;
      });
      assertThat(failed.getString("error")).startsWith("the restore failed: the stored dump").doesNotContain("Exception");
      awaitAddon(owner, org, addonId, "available");
      assertThat(eventuallySucceeds("psql \"$DATABASE_URL\" -tAc 'select count(*) from kept'")).isEqualTo("3");
      // the restore had begun reading the damaged dump (it streams); its one transaction rolled back
      assertThat(eventuallySucceeds("psql \"$DATABASE_URL\" -tAc 'select count(*) from filler'")).isEqualTo("100000");
    } finally {
      Files.write(stored, original);
    }
  }

  @Test
  @Order(4)
  void a_backup_taken_during_writes_restores_into_a_new_addon_consistently() {
    eventuallySucceeds("psql \"$DATABASE_URL\" -1 -v ON_ERROR_STOP=1 -c 'create table a (v int)' -c 'create table b (v int)'");
    // a writer committing a row to each table per transaction for a while: one session, so it ends on its own
    ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/runs", new JsonObject().put("command",
        "psql \"$DATABASE_URL\" -c 'DO $$ BEGIN FOR i IN 1..3000 LOOP INSERT INTO a VALUES (i); INSERT INTO b VALUES (i); COMMIT; "
            + "PERFORM pg_sleep(0.01); END LOOP; END $$'")), 201);
    Eventually.await("the writer wrote", CONVERGE, () -> {
      String out = AddonsApiTest.run(owner, org, envId, "psql \"$DATABASE_URL\" -tAc 'select count(*) from a'").getString("output");
      return out != null && out.matches("\\d+") && Integer.parseInt(out) > 5 ? out : null;
    });
    String id = ok(as(owner, org, HttpMethod.POST, backups(addonId), null), 202).getString("id");
    awaitBackup(addonId, id, "completed");

    JsonObject restore = ok(as(owner, org, HttpMethod.POST, backups(addonId) + "/" + id + "/restore",
        new JsonObject().put("target", "new").put("name", "copy-db")), 202);
    String copyId = restore.getString("addon_id");
    assertThat(copyId).isNotEqualTo(addonId);
    awaitRestore(restore);
    String variable = awaitAddon(owner, org, copyId, "available").getString("config_var");
    String counts = eventuallySucceeds("psql \"$" + variable + "\" -tAc 'select (select count(*) from a) || $$ $$ || (select count(*) from b)'");
    String[] both = counts.trim().split(" ");
    assertThat(both[0]).as(counts).isEqualTo(both[1]);
    assertThat(Integer.parseInt(both[0])).isPositive();
    assertThat(eventuallySucceeds("psql \"$" + variable + "\" -tAc 'select count(*) from kept'")).isEqualTo("3");
  }

  @Test
  @Order(5)
  void a_backup_of_a_server_that_is_down_fails_with_a_reason_and_is_counted() {
    double before = failedCount();
    TestImages.docker("service", "scale", "-d", "addon-" + addonId + "=0");
    try {
      Eventually.await("no container of the add-on is left", CONVERGE, () ->
          TestImages.docker("ps", "-q", "--filter", "label=com.docker.swarm.service.name=addon-" + addonId).isBlank() ? true : null);
      String id = ok(as(owner, org, HttpMethod.POST, backups(addonId), null), 202).getString("id");
      JsonObject failed = awaitBackup(addonId, id, "failed");
      assertThat(failed.getString("error")).startsWith("the dump failed").doesNotContain("postgres://");
      assertThat(failedCount()).isGreaterThan(before);
    } finally {
      TestImages.docker("service", "scale", "-d", "addon-" + addonId + "=1");
    }
    awaitAddon(owner, org, addonId, "available");
  }

  @Test
  @Order(6)
  void deleting_the_addon_leaves_a_final_backup_that_restores_into_a_new_addon() {
    ok(as(owner, org, HttpMethod.DELETE, "/api/paas/addons/" + addonId, null), 202);
    Eventually.await("the add-on is gone", CONVERGE, () ->
        as(owner, org, HttpMethod.GET, "/api/paas/addons/" + addonId, null).statusCode() == 404 ? true : null);
    JsonArray list = ok(as(viewer, org, HttpMethod.GET, backups(addonId), null), 200).getJsonArray("data");
    JsonObject last = list.stream().map(JsonObject.class::cast).filter(b -> "final".equals(b.getString("kind"))).findFirst().orElseThrow();
    assertThat(last.getString("status")).isEqualTo("completed");
    assertThat(as(stranger, strangerOrg, HttpMethod.GET, backups(addonId), null).statusCode()).isEqualTo(404);
    assertThat(errorCode(as(owner, org, HttpMethod.POST, backups(addonId) + "/" + last.getString("id") + "/restore", new JsonObject()), 409))
        .isEqualTo("addon_deleted");

    JsonObject restore = ok(as(owner, org, HttpMethod.POST, backups(addonId) + "/" + last.getString("id") + "/restore",
        new JsonObject().put("target", "new").put("name", "revived-db")), 202);
    awaitRestore(restore);
    revivedId = restore.getString("addon_id");
    String variable = awaitAddon(owner, org, revivedId, "available").getString("config_var");
    assertThat(eventuallySucceeds("psql \"$" + variable + "\" -tAc 'select count(*) from kept'")).isEqualTo("3");
  }

  @Test
  @Order(7)
  void the_scheduler_backs_up_a_due_addon_and_retention_deletes_an_expired_backup_with_its_file() {
    TestServers.execute(server.database(), "UPDATE paas_addon_plans SET backup_schedule_hours = 1 WHERE slug = 'postgresql-mini'");
    // one interval old: due now (a new add-on's first scheduled backup comes one interval after its creation)
    TestServers.execute(server.database(), "UPDATE paas_addons SET created_at = now() - interval '2 hours' WHERE id = '" + revivedId + "'");
    JsonObject scheduled = Eventually.await("a scheduled backup completed", CONVERGE, () ->
        ok(as(owner, org, HttpMethod.GET, backups(revivedId), null), 200).getJsonArray("data").stream().map(JsonObject.class::cast)
            .filter(b -> "scheduled".equals(b.getString("kind")) && "completed".equals(b.getString("status"))).findFirst().orElse(null));
    String id = scheduled.getString("id");
    assertThat(BACKUP_DIR.resolve(id + ".gz")).exists();
    assertThat(BACKUP_DIR.resolve(id + ".gz").toFile().length()).isEqualTo(scheduled.getLong("size_bytes"));

    TestServers.execute(server.database(), "UPDATE paas_addon_backups SET expires_at = now() - interval '1 second' WHERE id = '" + id + "'");
    Eventually.await("the expired backup deleted", CONVERGE, () ->
        as(owner, org, HttpMethod.GET, backups(revivedId) + "/" + id, null).statusCode() == 404 ? true : null);
    assertThat(BACKUP_DIR.resolve(id + ".gz")).doesNotExist();
  }

  @Test
  @Order(8)
  void a_stored_dump_without_a_backup_row_is_removed() throws Exception {
    // what a deleted organization leaves: its backup rows cascade away, its dumps must not stay in the store
    Path orphan = BACKUP_DIR.resolve(UUID.randomUUID() + ".gz");
    Files.write(orphan, new byte[] {31, -117, 8, 0});
    Path unrelated = BACKUP_DIR.resolve("notes.txt");
    Files.writeString(unrelated, "not a dump");
    Eventually.await("the orphaned dump removed", CONVERGE, () -> Files.exists(orphan) ? null : true);
    assertThat(unrelated).as("only dumps are the scheduler's business").exists();
  }

  private static double failedCount() {
    Counter counter = server.platform().metrics().registry().find("skypanel.addon.backups").tag("service", "postgresql")
        .tag("result", "failed").counter();
    return counter == null ? 0 : counter.count();
  }
}
