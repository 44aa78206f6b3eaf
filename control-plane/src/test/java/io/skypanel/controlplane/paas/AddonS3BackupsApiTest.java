package io.skypanel.controlplane.paas;

import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.PaasTenant;
import io.skypanel.controlplane.support.S3ProxyServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;

import static io.skypanel.controlplane.paas.AddonsApiTest.CONVERGE;
import static io.skypanel.controlplane.paas.AddonsApiTest.POSTGRES_IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control plane configured with the S3 backup store ({@code SKYPANEL_BACKUP_STORE=s3}, an in-process S3Proxy):
 * a real PostgreSQL add-on's backup lands as {@code <prefix><backup id>.gz} in the bucket, downloads with the listed
 * SHA-256 and restores in place.
 */
class AddonS3BackupsApiTest extends ApiTestBase {

  private static final String PREFIX = "it-" + UUID.randomUUID() + "/";
  private static final Path SCRATCH_DIR = Path.of(System.getProperty("java.io.tmpdir"), "skypanel-s3-backups-" + UUID.randomUUID());

  private static S3ProxyServer s3;
  private static PaasTenant tenant;
  private static String envId;
  private static String addonId;

  /** Called by ApiTestBase before the control plane starts, so the S3 server starts here. */
  static JsonObject controlPlaneSettings() {
    s3 = S3ProxyServer.start();
    return s3.controlPlaneSettings(PREFIX).put("SKYPANEL_BACKUP_DIR", SCRATCH_DIR.toString());
  }

  @BeforeAll
  static void provisionedPostgres() {
    tenant = PaasTenant.create("S3Backups");
    envId = tenant.app("shop")[1];
    tenant.runWorker(envId, POSTGRES_IMAGE);
    addonId = tenant.createAddon(envId, "postgresql-mini", "main-db").getString("id");
  }

  @AfterAll
  static void removeLeftovers() throws Exception {
    try {
      if (tenant != null) {
        tenant.removeLeftovers(CONVERGE);
      }
    } finally {
      if (s3 != null) {
        s3.close();
      }
      try (var files = Files.walk(SCRATCH_DIR)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (java.io.IOException e) {
        // no restore spooled anything
      }
    }
  }

  @Test
  void a_backup_is_stored_in_the_bucket_downloads_intact_and_restores_in_place() throws Exception {
    tenant.awaitAddon(addonId, "available", CONVERGE);
    tenant.eventuallySucceeds(envId, "psql \"$DATABASE_URL\" -1 -v ON_ERROR_STOP=1 -c 'create table kept (v int)' "
        + "-c 'insert into kept select generate_series(1, 3)'", CONVERGE);
    String backups = "/api/paas/addons/" + addonId + "/backups";
    String backupId = PaasTenant.ok(tenant.as(tenant.owner, HttpMethod.POST, backups, null), 202).getString("id");
    JsonObject done = Eventually.await("backup " + backupId + " completed", CONVERGE, () -> {
      JsonObject backup = PaasTenant.ok(tenant.as(tenant.owner, HttpMethod.GET, backups + "/" + backupId, null), 200);
      assertThat(backup.getString("status")).as(backup.encode()).isIn("pending", "running", "completed");
      return "completed".equals(backup.getString("status")) ? backup : null;
    });
    assertThat(s3.stored(PREFIX)).containsExactly(PREFIX + backupId + ".gz");
    assertThat(s3.blobStore().blobMetadata(S3ProxyServer.BUCKET, PREFIX + backupId + ".gz").getSize()).isEqualTo(done.getLong("size_bytes"));

    HttpResponse<Buffer> download = tenant.as(tenant.owner, HttpMethod.GET, backups + "/" + backupId + "/download", null);
    assertThat(download.statusCode()).isEqualTo(200);
    byte[] bytes = download.body().getBytes();
    assertThat((long) bytes.length).isEqualTo(done.getLong("size_bytes"));
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))).isEqualTo(done.getString("sha256"));

    tenant.eventuallySucceeds(envId, "psql \"$DATABASE_URL\" -c 'drop table kept'", CONVERGE);
    JsonObject restore = PaasTenant.ok(tenant.as(tenant.owner, HttpMethod.POST, backups + "/" + backupId + "/restore", new JsonObject()), 202);
    String restorePath = "/api/paas/addons/" + addonId + "/restores/" + restore.getString("id");
    Eventually.await("restore completed", CONVERGE.multipliedBy(2), () -> {
      JsonObject now = PaasTenant.ok(tenant.as(tenant.owner, HttpMethod.GET, restorePath, null), 200);
      assertThat(now.getString("status")).as(now.encode()).isIn("pending", "running", "completed");
      return "completed".equals(now.getString("status")) ? now : null;
    });
    tenant.awaitAddon(addonId, "available", CONVERGE);
    assertThat(tenant.eventuallySucceeds(envId, "psql \"$DATABASE_URL\" -tAc 'select string_agg(v::text, $$,$$ order by v) from kept'", CONVERGE))
        .isEqualTo("1,2,3");
  }
}
