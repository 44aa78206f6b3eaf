package io.skypanel.controlplane.caas.volumes;

import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Volumes, snapshots and restores against the real Docker engine (single-node swarm): Docker volumes, helper
 * services and archives are real. Every organization a test uses is remembered, and whatever Docker objects carry
 * its {@code skypanel.org} label are removed after the class, whatever the outcome.
 */
@ExtendWith(VolumesApiTest.HelperSettings.class)
class VolumesApiTest extends ApiTestBase {

  private static final Duration JOB_BOUND = Duration.ofSeconds(120);
  private static final Set<String> ORGANIZATIONS = ConcurrentHashMap.newKeySet();

  /**
   * The server under test is started by {@link ApiTestBase} before any {@code @BeforeAll} of this class; an
   * extension runs earlier, so it sets the helper settings as system properties (read by the platform's settings)
   * and clears them again afterwards.
   */
  static final class HelperSettings implements BeforeAllCallback, AfterAllCallback {

    private static final List<String> KEYS = List.of("SKYPANEL_CAAS_HELPER_IMAGE", "SKYPANEL_CAAS_HELPER_POLL_MS",
        "SKYPANEL_CAAS_HELPER_TIMEOUT_SECONDS");

    @Override
    public void beforeAll(ExtensionContext context) {
      System.setProperty("SKYPANEL_CAAS_HELPER_IMAGE", TestImages.digestOf(TestImages.busybox())); // a content id: Swarm never looks it up in a registry
      System.setProperty("SKYPANEL_CAAS_HELPER_POLL_MS", "200");
      System.setProperty("SKYPANEL_CAAS_HELPER_TIMEOUT_SECONDS", "90");
    }

    @Override
    public void afterAll(ExtensionContext context) {
      KEYS.forEach(System::clearProperty);
    }
  }

  @AfterAll
  static void removeDockerObjects() {
    for (String org : ORGANIZATIONS) {
      for (String service : lines(TestImages.dockerResult("service", "ls", "-q", "--filter", "label=skypanel.org=" + org).out())) {
        TestImages.dockerResult("service", "rm", service);
      }
      for (String volume : lines(TestImages.dockerResult("volume", "ls", "-q", "--filter", "label=skypanel.org=" + org).out())) {
        // a helper's container may still hold the volume for a moment after its service is gone
        Eventually.await("docker volume rm " + volume, Duration.ofSeconds(30),
            () -> TestImages.dockerResult("volume", "rm", volume).code() == 0 || !volumeExists(volume) ? Boolean.TRUE : null);
      }
    }
  }

  // --- volumes ---------------------------------------------------------------------------------------

  @Test
  void creates_lists_and_deletes_a_volume() {
    ApiClient.Session ada = user("Ada");
    String org = ada.personalOrganizationId();
    String name = "data-" + unique();

    JsonObject volume = createVolume(ada, org, name, 2);

    String id = volume.getString("id");
    assertThat(volume.getString("name")).isEqualTo(name);
    assertThat(volume.getInteger("size_gb")).isEqualTo(2);
    assertThat(volume.getString("status")).isEqualTo("available");
    assertThat(volume.getString("docker_volume_name")).isEqualTo("v-" + id);
    assertThat(volume.getString("created_at")).isNotBlank();
    String labels = TestImages.docker("volume", "inspect", "--format", "{{json .Labels}}", "v-" + id);
    JsonObject dockerLabels = new JsonObject(labels.trim());
    assertThat(dockerLabels.getString("skypanel.org")).isEqualTo(org);
    assertThat(dockerLabels.getString("skypanel.volume")).isEqualTo(id);

    HttpResponse<Buffer> listed = call(HttpMethod.GET, "/api/caas/volumes?limit=100", ada.token(), org, null);
    assertThat(listed.statusCode()).as(listed.bodyAsString()).isEqualTo(200);
    assertThat(ids(listed.bodyAsJsonObject().getJsonArray("data"))).containsExactly(id);
    HttpResponse<Buffer> got = call(HttpMethod.GET, "/api/caas/volumes/" + id, ada.token(), org, null);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.bodyAsJsonObject().getString("docker_volume_name")).isEqualTo("v-" + id);

    HttpResponse<Buffer> duplicate = call(HttpMethod.POST, "/api/caas/volumes", ada.token(), org,
        new JsonObject().put("name", name).put("size_gb", 1));
    assertThat(errorCode(duplicate, 409)).isEqualTo("volume_name_taken");

    // a container that mounts the volume keeps it
    String container = insertContainerMounting(org, id);
    HttpResponse<Buffer> inUse = call(HttpMethod.DELETE, "/api/caas/volumes/" + id, ada.token(), org, null);
    assertThat(errorCode(inUse, 409)).isEqualTo("volume_in_use");
    assertThat(volumeExists("v-" + id)).isTrue();
    sql("DELETE FROM paas_containers WHERE id = ?::uuid", container);

    HttpResponse<Buffer> deleted = call(HttpMethod.DELETE, "/api/caas/volumes/" + id, ada.token(), org, null);
    assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(204);
    assertThat(volumeExists("v-" + id)).isFalse();
    assertThat(call(HttpMethod.GET, "/api/caas/volumes/" + id, ada.token(), org, null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.DELETE, "/api/caas/volumes/" + id, ada.token(), org, null).statusCode()).isEqualTo(404);
    assertThat(activityActions(ada, org)).containsExactly("caas.volume.delete", "caas.volume.create");
  }

  @Test
  void quota_exceeded_is_422_and_creates_nothing() {
    ApiClient.Session ada = user("Ada");
    String org = ada.personalOrganizationId();
    // no plan: the default plan 'hobby' applies (1 volume, 5 GB in total)

    HttpResponse<Buffer> tooBig = call(HttpMethod.POST, "/api/caas/volumes", ada.token(), org,
        new JsonObject().put("name", "big").put("size_gb", 6));

    assertThat(errorCode(tooBig, 422)).isEqualTo("quota_exceeded");
    JsonObject error = tooBig.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("message")).contains("max_volume_gb", "5 GB", "hobby");
    assertThat(error.getJsonArray("details").getJsonObject(0).getString("rule")).isEqualTo("max_volume_gb");
    assertThat(volumeRows(org)).isZero();
    assertThat(dockerVolumesOf(org)).isEmpty();

    createVolume(ada, org, "first", 5);
    HttpResponse<Buffer> tooMany = call(HttpMethod.POST, "/api/caas/volumes", ada.token(), org,
        new JsonObject().put("name", "second").put("size_gb", 1));

    assertThat(errorCode(tooMany, 422)).isEqualTo("quota_exceeded");
    assertThat(tooMany.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("max_volumes");
    assertThat(tooMany.bodyAsJsonObject().getJsonObject("error").getJsonArray("details").getJsonObject(0).getString("rule"))
        .isEqualTo("max_volumes");
    assertThat(volumeRows(org)).isEqualTo(1);
    assertThat(dockerVolumesOf(org)).hasSize(1);
    assertThat(activityActions(ada, org)).containsExactly("caas.volume.create");

    // a bigger plan lifts both limits
    setPlan(org, "basic");
    assertThat(createVolume(ada, org, "second", 1).getString("status")).isEqualTo("available");
    assertThat(dockerVolumesOf(org)).hasSize(2);
  }

  // --- snapshots and restores -------------------------------------------------------------------------

  @Test
  void snapshot_then_restore_gives_the_same_bytes() throws Exception {
    ApiClient.Session ada = user("Ada");
    String org = ada.personalOrganizationId();
    setPlan(org, "basic");
    JsonObject source = createVolume(ada, org, "source", 1);
    String sourceId = source.getString("id");
    writeIntoVolume(source.getString("docker_volume_name"), """
        mkdir -p /data/sub/deeper && printf 'hello volume\\n' > /data/a.txt && chmod 640 /data/a.txt \
        && head -c 300000 /dev/urandom > /data/sub/blob.bin && echo hidden > /data/.dotfile \
        && printf '' > /data/sub/deeper/empty && ln -s a.txt /data/link""");
    String original = manifest(source.getString("docker_volume_name"));
    assertThat(original).contains("./a.txt", "./sub/blob.bin", "./.dotfile", "./sub/deeper/empty", "./link -> a.txt");

    HttpResponse<Buffer> started = call(HttpMethod.POST, "/api/caas/volumes/" + sourceId + "/snapshots", ada.token(), org, null);
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    JsonObject pending = started.bodyAsJsonObject();
    assertThat(pending.getString("status")).isIn("pending", "running");
    assertThat(pending.getString("volume_id")).isEqualTo(sourceId);
    assertThat(pending.fieldNames()).doesNotContain("storage_path");
    String snapshotId = pending.getString("id");

    JsonObject snapshot = awaitSnapshot(ada, org, sourceId, snapshotId);

    assertThat(snapshot.getString("status")).as(snapshot.encode()).isEqualTo("completed");
    Path archive = archivePath(snapshotId);
    assertThat(snapshot.getString("sha256")).isEqualTo(sha256(archive)).matches("^[0-9a-f]{64}$");
    assertThat(snapshot.getLong("size_bytes")).isEqualTo(Files.size(archive)).isGreaterThan(300_000L);
    assertThat(snapshot.getString("completed_at")).isNotBlank();
    assertThat(helperServicesOf(org)).as("helper services are removed").isEmpty();
    HttpResponse<Buffer> listed = call(HttpMethod.GET, "/api/caas/volumes/" + sourceId + "/snapshots", ada.token(), org, null);
    assertThat(ids(listed.bodyAsJsonObject().getJsonArray("data"))).containsExactly(snapshotId);

    String restorePath = "/api/caas/volumes/" + sourceId + "/snapshots/" + snapshotId + "/restore";
    assertThat(errorCode(call(HttpMethod.POST, restorePath, ada.token(), org, new JsonObject().put("target", "new").put("name", "source")), 409))
        .isEqualTo("volume_name_taken");
    assertThat(errorCode(call(HttpMethod.POST, restorePath, ada.token(), org, new JsonObject().put("target", "new")), 400))
        .isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.POST, restorePath, ada.token(), org, new JsonObject().put("target", "same").put("name", "x")), 400))
        .isEqualTo("validation_failed");

    // into a new volume
    HttpResponse<Buffer> restoreNew = call(HttpMethod.POST, "/api/caas/volumes/" + sourceId + "/snapshots/" + snapshotId + "/restore",
        ada.token(), org, new JsonObject().put("target", "new").put("name", "copy"));
    assertThat(restoreNew.statusCode()).as(restoreNew.bodyAsString()).isEqualTo(202);
    JsonObject copy = restoreNew.bodyAsJsonObject();
    assertThat(copy.getString("status")).isEqualTo("restoring");
    assertThat(copy.getString("restore_snapshot_id")).isEqualTo(snapshotId);
    assertThat(copy.getInteger("size_gb")).isEqualTo(1);
    assertThat(copy.getString("id")).isNotEqualTo(sourceId);

    JsonObject restoredCopy = awaitVolume(ada, org, copy.getString("id"));

    assertThat(restoredCopy.getString("status")).as(restoredCopy.encode()).isEqualTo("available");
    assertThat(manifest(copy.getString("docker_volume_name"))).isEqualTo(original);
    JsonObject copyLabels = new JsonObject(TestImages.docker("volume", "inspect", "--format", "{{json .Labels}}",
        copy.getString("docker_volume_name")).trim());
    assertThat(copyLabels.getString("skypanel.volume")).isEqualTo(copy.getString("id"));

    // into the same volume, after changing it
    writeIntoVolume(source.getString("docker_volume_name"),
        "rm /data/sub/blob.bin && echo changed > /data/a.txt && echo extra > /data/extra.txt && echo x > /data/.newdot");
    assertThat(manifest(source.getString("docker_volume_name"))).isNotEqualTo(original);
    HttpResponse<Buffer> restoreSame = call(HttpMethod.POST, "/api/caas/volumes/" + sourceId + "/snapshots/" + snapshotId + "/restore",
        ada.token(), org, new JsonObject().put("target", "same"));
    assertThat(restoreSame.statusCode()).as(restoreSame.bodyAsString()).isEqualTo(202);
    assertThat(restoreSame.bodyAsJsonObject().getString("status")).isEqualTo("restoring");
    assertThat(restoreSame.bodyAsJsonObject().getString("id")).isEqualTo(sourceId);

    JsonObject restoredSource = awaitVolume(ada, org, sourceId);

    assertThat(restoredSource.getString("status")).as(restoredSource.encode()).isEqualTo("available");
    assertThat(manifest(source.getString("docker_volume_name"))).isEqualTo(original);
    assertThat(helperServicesOf(org)).isEmpty();
    assertThat(activityActions(ada, org)).containsExactly("caas.volume.restore", "caas.volume.restore",
        "caas.volume.snapshot.create", "caas.volume.create");

    // the snapshot keeps its volume; deleting it removes the archive, then the volume can go
    HttpResponse<Buffer> refused = call(HttpMethod.DELETE, "/api/caas/volumes/" + sourceId, ada.token(), org, null);
    assertThat(errorCode(refused, 409)).isEqualTo("volume_has_snapshots");
    HttpResponse<Buffer> snapshotDeleted = call(HttpMethod.DELETE, "/api/caas/volumes/" + sourceId + "/snapshots/" + snapshotId,
        ada.token(), org, null);
    assertThat(snapshotDeleted.statusCode()).as(snapshotDeleted.bodyAsString()).isEqualTo(204);
    assertThat(archive).doesNotExist();
    assertThat(call(HttpMethod.DELETE, "/api/caas/volumes/" + sourceId, ada.token(), org, null).statusCode()).isEqualTo(204);
    assertThat(call(HttpMethod.DELETE, "/api/caas/volumes/" + copy.getString("id"), ada.token(), org, null).statusCode()).isEqualTo(204);
    assertThat(dockerVolumesOf(org)).isEmpty();
  }

  @Test
  void a_damaged_archive_fails_the_restore_and_leaves_the_volume_untouched() throws Exception {
    ApiClient.Session ada = user("Ada");
    String org = ada.personalOrganizationId();
    JsonObject volume = createVolume(ada, org, "precious", 1);
    String volumeId = volume.getString("id");
    writeIntoVolume(volume.getString("docker_volume_name"), "echo keep me > /data/keep.txt");
    HttpResponse<Buffer> started = call(HttpMethod.POST, "/api/caas/volumes/" + volumeId + "/snapshots", ada.token(), org, null);
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    String snapshotId = started.bodyAsJsonObject().getString("id");
    assertThat(awaitSnapshot(ada, org, volumeId, snapshotId).getString("status")).isEqualTo("completed");
    writeIntoVolume(volume.getString("docker_volume_name"), "echo newer > /data/keep.txt");
    String before = manifest(volume.getString("docker_volume_name"));
    Files.write(archivePath(snapshotId), new byte[] {42}, java.nio.file.StandardOpenOption.APPEND);

    HttpResponse<Buffer> restore = call(HttpMethod.POST, "/api/caas/volumes/" + volumeId + "/snapshots/" + snapshotId + "/restore",
        ada.token(), org, new JsonObject().put("target", "same"));
    assertThat(restore.statusCode()).as(restore.bodyAsString()).isEqualTo(202);
    JsonObject failed = awaitVolume(ada, org, volumeId);

    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getString("status_reason")).contains(snapshotId, "damaged").doesNotContain("/tmp");
    assertThat(manifest(volume.getString("docker_volume_name"))).isEqualTo(before);
    assertThat(errorCode(call(HttpMethod.POST, "/api/caas/volumes/" + volumeId + "/snapshots", ada.token(), org, null), 409))
        .isEqualTo("volume_busy");
    assertThat(call(HttpMethod.DELETE, "/api/caas/volumes/" + volumeId + "/snapshots/" + snapshotId, ada.token(), org, null).statusCode())
        .isEqualTo(204);
    assertThat(call(HttpMethod.DELETE, "/api/caas/volumes/" + volumeId, ada.token(), org, null).statusCode()).isEqualTo(204);
    assertThat(dockerVolumesOf(org)).isEmpty();
  }

  // --- tenancy and roles -------------------------------------------------------------------------------

  @Test
  void foreign_org_gets_404_for_volume_and_snapshot() {
    ApiClient.Session ada = user("Ada");
    ApiClient.Session eve = user("Eve");
    String adaOrg = ada.personalOrganizationId();
    String eveOrg = eve.personalOrganizationId();
    JsonObject volume = createVolume(ada, adaOrg, "private", 1);
    String volumeId = volume.getString("id");
    HttpResponse<Buffer> started = call(HttpMethod.POST, "/api/caas/volumes/" + volumeId + "/snapshots", ada.token(), adaOrg, null);
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    String snapshotId = started.bodyAsJsonObject().getString("id");
    JsonObject eveVolume = createVolume(eve, eveOrg, "mine", 1);
    String snapshotPath = "/api/caas/volumes/" + volumeId + "/snapshots/" + snapshotId;

    for (String org : new String[] {eveOrg, adaOrg}) {
      assertThat(errorCode(call(HttpMethod.GET, "/api/caas/volumes/" + volumeId, eve.token(), org, null), 404)).isEqualTo("not_found");
      assertThat(call(HttpMethod.DELETE, "/api/caas/volumes/" + volumeId, eve.token(), org, null).statusCode()).isEqualTo(404);
      assertThat(call(HttpMethod.GET, "/api/caas/volumes/" + volumeId + "/snapshots", eve.token(), org, null).statusCode()).isEqualTo(404);
      assertThat(call(HttpMethod.POST, "/api/caas/volumes/" + volumeId + "/snapshots", eve.token(), org, null).statusCode()).isEqualTo(404);
      assertThat(call(HttpMethod.GET, snapshotPath, eve.token(), org, null).statusCode()).isEqualTo(404);
      assertThat(call(HttpMethod.DELETE, snapshotPath, eve.token(), org, null).statusCode()).isEqualTo(404);
      assertThat(call(HttpMethod.POST, snapshotPath + "/restore", eve.token(), org, new JsonObject().put("target", "new").put("name", "stolen"))
          .statusCode()).isEqualTo(404);
    }
    // the snapshot id under Eve's own volume is no better
    String underOwn = "/api/caas/volumes/" + eveVolume.getString("id") + "/snapshots/" + snapshotId;
    assertThat(call(HttpMethod.GET, underOwn, eve.token(), eveOrg, null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.POST, underOwn + "/restore", eve.token(), eveOrg, new JsonObject().put("target", "same")).statusCode())
        .isEqualTo(404);
    HttpResponse<Buffer> eveList = call(HttpMethod.GET, "/api/caas/volumes", eve.token(), eveOrg, null);
    assertThat(ids(eveList.bodyAsJsonObject().getJsonArray("data"))).containsExactly(eveVolume.getString("id"));
    assertThat(volumeExists("v-" + volumeId)).isTrue();
    assertThat(volumeRows(eveOrg)).isEqualTo(1);

    // Ada's own snapshot finishes undisturbed; clean up through the API
    assertThat(awaitSnapshot(ada, adaOrg, volumeId, snapshotId).getString("status")).isEqualTo("completed");
    assertThat(call(HttpMethod.DELETE, snapshotPath, ada.token(), adaOrg, null).statusCode()).isEqualTo(204);
    assertThat(call(HttpMethod.DELETE, "/api/caas/volumes/" + volumeId, ada.token(), adaOrg, null).statusCode()).isEqualTo(204);
    assertThat(call(HttpMethod.DELETE, "/api/caas/volumes/" + eveVolume.getString("id"), eve.token(), eveOrg, null).statusCode())
        .isEqualTo(204);
  }

  @Test
  void viewer_cannot_create() {
    ApiClient.Session ada = user("Ada");
    ApiClient.Session victor = user("Victor");
    String org = createOrganization(ada, "Volumes " + unique()).getString("id");
    ORGANIZATIONS.add(org);
    addMember(ada, org, victor, "viewer");
    JsonObject volume = createVolume(ada, org, "shared", 1);
    String volumeId = volume.getString("id");

    HttpResponse<Buffer> create = call(HttpMethod.POST, "/api/caas/volumes", victor.token(), org,
        new JsonObject().put("name", "viewer-made").put("size_gb", 1));

    assertThat(errorCode(create, 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.POST, "/api/caas/volumes/" + volumeId + "/snapshots", victor.token(), org, null), 403))
        .isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.DELETE, "/api/caas/volumes/" + volumeId, victor.token(), org, null), 403)).isEqualTo("forbidden");
    HttpResponse<Buffer> listed = call(HttpMethod.GET, "/api/caas/volumes", victor.token(), org, null);
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(ids(listed.bodyAsJsonObject().getJsonArray("data"))).containsExactly(volumeId);
    assertThat(call(HttpMethod.GET, "/api/caas/volumes/" + volumeId, victor.token(), org, null).statusCode()).isEqualTo(200);
    assertThat(volumeRows(org)).isEqualTo(1);
    assertThat(dockerVolumesOf(org)).containsExactly("v-" + volumeId);
    assertThat(call(HttpMethod.DELETE, "/api/caas/volumes/" + volumeId, ada.token(), org, null).statusCode()).isEqualTo(204);
  }

  // --- helpers -----------------------------------------------------------------------------------------

  private static String unique() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /** A new user whose personal organization's Docker objects are cleaned up after the class. */
  private static ApiClient.Session user(String name) {
    ApiClient.Session session = newUser(name);
    ORGANIZATIONS.add(session.personalOrganizationId());
    return session;
  }

  private static JsonObject createVolume(ApiClient.Session who, String org, String name, int sizeGb) {
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/caas/volumes", who.token(), org,
        new JsonObject().put("name", name).put("size_gb", sizeGb));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  private static JsonObject awaitSnapshot(ApiClient.Session who, String org, String volumeId, String snapshotId) {
    return awaitJson(() -> call(HttpMethod.GET, "/api/caas/volumes/" + volumeId + "/snapshots/" + snapshotId, who.token(), org, null),
        json -> Set.of("completed", "failed").contains(json.getString("status")));
  }

  private static JsonObject awaitVolume(ApiClient.Session who, String org, String volumeId) {
    return awaitJson(() -> call(HttpMethod.GET, "/api/caas/volumes/" + volumeId, who.token(), org, null),
        json -> !"restoring".equals(json.getString("status")));
  }

  private static JsonObject awaitJson(Supplier<HttpResponse<Buffer>> get, Predicate<JsonObject> done) {
    return Eventually.await("a final status", JOB_BOUND, () -> {
      HttpResponse<Buffer> response = get.get();
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      JsonObject json = response.bodyAsJsonObject();
      return done.test(json) ? json : null;
    });
  }

  /** Runs {@code script} in a throw-away container (labelled skypanel.test=true) that mounts the volume at /data. */
  private static void writeIntoVolume(String dockerVolume, String script) {
    TestImages.docker("run", "--rm", "--label", "skypanel.test=true", "--network", "none", "-v", dockerVolume + ":/data",
        TestImages.busybox(), "sh", "-c", script);
  }

  /** Every entry of the volume with type, mode, owner and content digest (or link target), sorted. */
  private static String manifest(String dockerVolume) {
    String script = "cd /data && find . -mindepth 1 | sort | while read -r p; do "
        + "if [ -L \"$p\" ]; then echo \"$p -> $(readlink \"$p\")\"; "
        + "elif [ -d \"$p\" ]; then echo \"$p dir $(stat -c '%a %u:%g' \"$p\")\"; "
        + "else echo \"$p $(stat -c '%a %u:%g %s' \"$p\") $(sha256sum < \"$p\" | cut -d' ' -f1)\"; fi; done";
    return TestImages.docker("run", "--rm", "--label", "skypanel.test=true", "--network", "none", "-v", dockerVolume + ":/data:ro",
        TestImages.busybox(), "sh", "-c", script);
  }

  private static Path archivePath(String snapshotId) {
    String relative = queryString("SELECT storage_path FROM caas_volume_snapshots WHERE id = ?::uuid", snapshotId);
    Path root = Path.of(server.platform().settings().string("SKYPANEL_DATA_DIR", "./data")).resolve("snapshots");
    return root.resolve(relative);
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        digest.update(buffer, 0, read);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static List<String> dockerVolumesOf(String org) {
    return lines(TestImages.docker("volume", "ls", "-q", "--filter", "label=skypanel.org=" + org));
  }

  private static List<String> helperServicesOf(String org) {
    return lines(TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.helper", "--filter", "label=skypanel.org=" + org));
  }

  private static boolean volumeExists(String dockerVolume) {
    return TestImages.dockerResult("volume", "inspect", dockerVolume).code() == 0;
  }

  private static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        lines.add(line.trim());
      }
    }
    return lines;
  }

  private static List<String> ids(JsonArray items) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      ids.add(items.getJsonObject(i).getString("id"));
    }
    return ids;
  }

  private static List<String> activityActions(ApiClient.Session who, String org) {
    HttpResponse<Buffer> page = call(HttpMethod.GET, "/api/activity?action=caas.volume&limit=100", who.token(), org, null);
    assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
    List<String> actions = new ArrayList<>();
    JsonArray data = page.bodyAsJsonObject().getJsonArray("data");
    for (int i = 0; i < data.size(); i++) {
      actions.add(data.getJsonObject(i).getString("action"));
    }
    return actions;
  }

  /** A container row (no Swarm service) whose spec mounts the volume, as the containers feature stores it. */
  private static String insertContainerMounting(String org, String volumeId) {
    String id = UUID.randomUUID().toString();
    sql("INSERT INTO paas_containers (id, organization_id, name, image_ref, cpu, memory_mb, volumes) VALUES (?::uuid, ?::uuid, ?, "
        + "'skypanel-test/busybox:1', 0.1, 64, ?::jsonb)", id, org, "uses-" + unique(),
        new JsonArray().add(new JsonObject().put("volume_id", volumeId).put("mount_path", "/data").put("read_only", false)).encode());
    return id;
  }

  private static void setPlan(String org, String planSlug) {
    sql("UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = ?) WHERE id = ?::uuid", planSlug, org);
  }

  private static long volumeRows(String org) {
    return Long.parseLong(queryString("SELECT count(*)::text FROM paas_volumes WHERE organization_id = ?::uuid", org));
  }

  private static Connection connection() throws java.sql.SQLException {
    var database = server.database();
    return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
  }

  private static void sql(String statement, Object... parameters) {
    try (Connection connection = connection(); PreparedStatement prepared = connection.prepareStatement(statement)) {
      for (int i = 0; i < parameters.length; i++) {
        prepared.setObject(i + 1, parameters[i]);
      }
      prepared.executeUpdate();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String queryString(String query, Object... parameters) {
    try (Connection connection = connection(); PreparedStatement prepared = connection.prepareStatement(query)) {
      for (int i = 0; i < parameters.length; i++) {
        prepared.setObject(i + 1, parameters[i]);
      }
      try (ResultSet rows = prepared.executeQuery()) {
        assertThat(rows.next()).isTrue();
        return rows.getString(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
