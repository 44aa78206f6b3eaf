package io.skypanel.controlplane.paas.builds;

import io.skypanel.common.buildlogs.BuildLogStream;
import io.skypanel.common.gateway.EdgeGateway;
import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.TestGateway;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.PaasTenant;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.ControlPlaneServer;
import io.skypanel.controlplane.support.OverlayHttp;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Source uploads through the API against the real engine and the real platform registry (started by
 * scripts/prepare-test-servers.sh): Dockerfile builds from the local busybox image (no pull), the push, the release
 * that serves, failures with their reasons, unsafe tarballs, cancel with a live log, tenancy, keep-N pruning, auto-deploy
 * off (the image recorded, no release) and promotion of the built digest to another environment.
 */
@ExtendWith(BuildsApiTest.KeepOneImage.class)
class BuildsApiTest extends ApiTestBase {

  private static final Duration BUILD = Duration.ofSeconds(180);
  private static final Duration CONVERGE = Duration.ofSeconds(120);

  /** Keep-N is per app; one image kept besides live ones makes pruning observable with two builds. */
  static final class KeepOneImage implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
      System.setProperty("SKYPANEL_REGISTRY_KEEP", "1");
    }

    @Override
    public void afterAll(ExtensionContext context) {
      System.clearProperty("SKYPANEL_REGISTRY_KEEP");
    }
  }

  private static EdgeGateway gateway;
  private static int relayPort;
  private static ApiClient.Session owner;
  private static ApiClient.Session viewer;
  private static ApiClient.Session stranger;
  private static String org;
  private static PaasTenant tenant;
  private static String strangerOrg;
  private static WebClient registry;

  @BeforeAll
  static void organizationWithRoom() {
    TestImages.busybox();
    tenant = PaasTenant.create("Builds");
    owner = tenant.owner;
    viewer = tenant.viewer;
    stranger = tenant.stranger;
    org = tenant.org;
    strangerOrg = tenant.strangerOrg;
    gateway = TestGateway.create(server.platform().vertx(), server.platform().docker(), "builds-" + UUID.randomUUID().toString().substring(0, 8), Map.of());
    relayPort = Await.result(gateway.start()).getPort();
    registry = WebClient.create(server.platform().vertx());
  }

  @AfterAll
  static void removeLeftovers() throws InterruptedException {
    if (gateway != null) {
      Await.result(gateway.remove());
    }
    if (org == null) {
      return;
    }
    tenant.removeLeftovers(CONVERGE);
    removeImages();
  }

  /** What the builds left: the organization's images in the registry and the built images in the engine. */
  private static void removeImages() {
    // 1000 is the most the registry lists in one page
    HttpResponse<Buffer> catalog = Await.result(registryRequest(HttpMethod.GET, "/v2/_catalog?n=1000").send());
    assertThat(catalog.statusCode()).as(catalog.bodyAsString()).isEqualTo(200);
    for (Object name : catalog.bodyAsJsonObject().getJsonArray("repositories", new io.vertx.core.json.JsonArray())) {
      String repository = name.toString();
      if (!repository.startsWith("org-" + org + "/")) {
        continue;
      }
      for (String tag : tags(ControlPlaneServer.REGISTRY + "/" + repository)) {
        String digest = Await.result(registryRequest(HttpMethod.HEAD, "/v2/" + repository + "/manifests/" + tag)
            .putHeader("Accept", "application/vnd.docker.distribution.manifest.v2+json").send()).getHeader("Docker-Content-Digest");
        if (digest != null) {
          Await.result(registryRequest(HttpMethod.DELETE, "/v2/" + repository + "/manifests/" + digest).send());
        }
      }
    }
    for (String image : TestImages.docker("images", "-q", "--filter", "label=skypanel.org=" + org).split("\\s+")) {
      if (!image.isBlank()) {
        TestImages.dockerResult("rmi", "-f", image);
      }
    }
  }

  // --- behaviour ---------------------------------------------------------------------------------

  @Test
  void a_dockerfile_upload_is_built_pushed_to_the_registry_released_and_served() {
    JsonObject app = createApp("hello");
    String envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    JsonObject queued = ok(upload(owner, org, app.getString("id"), webSource("built from source")), 201);
    assertThat(queued.getString("status")).isIn("queued", "building");
    assertThat(queued.getString("origin")).isEqualTo("upload");

    JsonObject build = ended(queued.getString("id"));
    assertThat(build.getString("status")).as(build.encode()).isEqualTo("succeeded");
    assertThat(build.getString("builder")).isEqualTo("dockerfile");
    String repository = repository(build);
    assertThat(repository).startsWith(ControlPlaneServer.REGISTRY + "/org-" + org + "/" + app.getString("name"));
    assertThat(build.getString("image_ref")).isEqualTo(repository + "@" + build.getString("image_digest"));
    assertThat(build.getJsonObject("process_types")).isEqualTo(new JsonObject().putNull("web"));
    assertThat(build.getString("log_tail")).contains("Released v1");

    // the image is in the platform registry under the build's id
    assertThat(tags(repository)).contains(build.getString("id"));
    assertThat(manifestStatus(repository, build.getString("image_digest"))).isEqualTo(200);
    // the build log has the Dockerfile's steps; nothing of the registry password
    String log = text(as(viewer, org, HttpMethod.GET, "/api/paas/builds/" + build.getString("id") + "/log"));
    assertThat(log).contains("Step 1/").contains(" : FROM " + TestImages.BUSYBOX).contains("COPY index.html").contains("Pushed " + repository)
        .doesNotContain(ControlPlaneServer.REGISTRY_PASSWORD);

    // the release runs the pushed digest, on the EXPOSEd port, and answers
    JsonObject release = ok(as(owner, org, HttpMethod.GET, "/api/paas/environments/" + envId + "/releases/1"), 200);
    assertThat(release.getString("image_ref")).isEqualTo(build.getString("image_ref"));
    assertThat(release.getString("image_digest")).isEqualTo(build.getString("image_digest"));
    assertThat(release.getInteger("port")).isEqualTo(8080);
    assertThat(build.getJsonObject("release").getInteger("version")).isEqualTo(1);
    served(envId, "built from source");

    // listed, newest first; viewers read
    JsonObject page = ok(as(viewer, org, HttpMethod.GET, "/api/paas/apps/" + app.getString("id") + "/builds"), 200);
    assertThat(page.getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(build.getString("id"));
  }

  @Test
  void a_failing_run_step_fails_the_build_with_its_reason_and_the_live_release_stays() {
    JsonObject app = createApp("broken");
    String envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    String image = TestImages.digestOf(TestImages.web("builds-live", "still live"));
    ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy",
        new JsonObject().put("image_ref", image).put("port", 8080)), 201);

    Map<String, String> files = new LinkedHashMap<>();
    files.put("Dockerfile", "FROM " + TestImages.BUSYBOX + "\nRUN echo about to fail && exit 3\nCMD [\"true\"]\n");
    JsonObject build = ended(ok(upload(owner, org, app.getString("id"), tarball(files)), 201).getString("id"));

    assertThat(build.getString("status")).isEqualTo("failed");
    assertThat(build.getString("status_reason")).contains("the Dockerfile build failed").contains("non-zero code: 3");
    assertThat(build.getJsonObject("release")).isNull();
    assertThat(build.getString("log_tail")).contains("about to fail");
    // every line also went to the build's Redis stream, in order, closed by its end entry (what log-tail serves)
    var platform = server.platform();
    List<BuildLogStream.Entry> entries = new java.util.ArrayList<>();
    Await.result(platform.redisApi().xrange(List.of(BuildLogStream.key(platform.redisPrefix(), UUID.fromString(build.getString("id"))), "-", "+")))
        .forEach(element -> entries.add(BuildLogStream.Entry.of(element)));
    assertThat(entries).extracting(BuildLogStream.Entry::line).filteredOn(java.util.Objects::nonNull)
        .contains("-----> Unpacking the source").anyMatch(line -> line.contains("about to fail"));
    assertThat(entries.get(entries.size() - 1).endStatus()).isEqualTo("failed");
    assertThat(entries.subList(0, entries.size() - 1)).noneMatch(BuildLogStream.Entry::end);
    JsonObject env = ok(as(owner, org, HttpMethod.GET, "/api/paas/environments/" + envId), 200);
    assertThat(env.encode()).contains(image);
    assertThat(ok(as(owner, org, HttpMethod.GET, "/api/paas/environments/" + envId + "/releases"), 200).getJsonArray("data")).hasSize(1);
    served(envId, "still live");
  }

  @Test
  void a_procfile_gives_the_release_its_process_types_through_a_multipart_upload() {
    JsonObject app = createApp("procs");
    Map<String, String> files = webFiles("procfile app");
    files.put("Procfile", "web: httpd -f -p $PORT -h /var/www\nworker: sleep 3600\n");
    MultipartForm form = MultipartForm.create().attribute("ref", "main")
        .binaryFileUpload("source", "source.tar.gz", Buffer.buffer(tarball(files)), "application/gzip");
    HttpResponse<Buffer> response = Await.result(api.request(HttpMethod.POST, "/api/paas/apps/" + app.getString("id") + "/builds", owner.token())
        .putHeader("X-Organization-Id", org).sendMultipartForm(form));
    JsonObject queued = ok(response, 201);
    assertThat(queued.getString("ref")).isEqualTo("main");

    JsonObject build = ended(queued.getString("id"));
    assertThat(build.getString("status")).as(build.encode()).isEqualTo("succeeded");
    JsonObject types = new JsonObject().put("web", "httpd -f -p $PORT -h /var/www").put("worker", "sleep 3600");
    assertThat(build.getJsonObject("process_types")).isEqualTo(types);
    String envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    assertThat(ok(as(owner, org, HttpMethod.GET, "/api/paas/environments/" + envId + "/releases/1"), 200).getJsonObject("process_types"))
        .isEqualTo(types);
  }

  @Test
  void an_unsafe_or_foreign_body_never_reaches_the_engine() {
    JsonObject app = createApp("unsafe");
    Map<String, String> files = new LinkedHashMap<>();
    files.put("Dockerfile", "FROM " + TestImages.BUSYBOX + "\n");
    files.put("../escaped", "outside");
    JsonObject build = ended(ok(upload(owner, org, app.getString("id"), tarball(files)), 201).getString("id"));
    assertThat(build.getString("status")).isEqualTo("failed");
    assertThat(build.getString("status_reason")).contains("'../escaped'").contains("leaves the source tree");
    assertThat(build.getString("builder")).isNull();

    // not gzip at all, or no Dockerfile and no buildpack
    assertThat(errorCode(upload(owner, org, app.getString("id"), "plain text".getBytes(StandardCharsets.UTF_8)), 400)).isEqualTo("validation_failed");
    JsonObject nothing = ended(ok(upload(owner, org, app.getString("id"), tarball(Map.of("README", "hi"))), 201).getString("id"));
    // the buildpack builder takes every source without a Dockerfile and says what its buildpacks look for
    assertThat(nothing.getString("status_reason")).contains("no buildpack").contains("detected");
  }

  @Test
  void a_running_build_is_cancelled_and_its_followers_see_the_end() throws Exception {
    JsonObject app = createApp("slow");
    Map<String, String> files = new LinkedHashMap<>();
    files.put("Dockerfile", "FROM " + TestImages.BUSYBOX + "\nRUN echo sleeping && sleep 120\nCMD [\"true\"]\n");
    String id = ok(upload(owner, org, app.getString("id"), tarball(files)), 201).getString("id");
    Eventually.await("the build sleeping", BUILD, () -> text(as(owner, org, HttpMethod.GET, "/api/paas/builds/" + id + "/log"))
        .lines().anyMatch("sleeping"::equals) ? true : null);

    // the organization's limit (1) holds a second build in the durable queue; cancelled there, it never runs
    String waiting = ok(upload(owner, org, app.getString("id"), tarball(files)), 201).getString("id");
    assertThat(ok(as(owner, org, HttpMethod.GET, "/api/paas/builds/" + waiting), 200).getString("status")).isEqualTo("queued");
    JsonObject dropped = ok(as(owner, org, HttpMethod.DELETE, "/api/paas/builds/" + waiting), 200);
    assertThat(dropped.getString("status")).isEqualTo("cancelled");
    assertThat(dropped.getString("started_at")).isNull();

    var follow = api.request(HttpMethod.GET, "/api/paas/builds/" + id + "/log?follow=true", viewer.token()).putHeader("X-Organization-Id", org).send();
    assertThat(errorCode(as(viewer, org, HttpMethod.DELETE, "/api/paas/builds/" + id), 403)).isEqualTo("forbidden");
    JsonObject cancelled = ok(as(owner, org, HttpMethod.DELETE, "/api/paas/builds/" + id), 200);
    assertThat(cancelled.getString("status")).isEqualTo("cancelled");
    assertThat(cancelled.getString("status_reason")).contains("cancelled by " + owner.email());

    HttpResponse<Buffer> stream = Await.result(follow);
    assertThat(stream.getHeader("Content-Type")).isEqualTo("text/event-stream");
    assertThat(stream.bodyAsString()).contains("data: sleeping").endsWith("event: end\ndata: ended\n\n");
    assertThat(errorCode(as(owner, org, HttpMethod.DELETE, "/api/paas/builds/" + id), 409)).isEqualTo("build_ended");
    // the engine's build stopped: no container of it keeps sleeping
    Eventually.await("the build's container gone", BUILD, () ->
        TestImages.docker("ps", "-q", "--filter", "ancestor=" + TestImages.BUSYBOX, "--filter", "status=running").lines()
            .noneMatch(c -> TestImages.docker("inspect", "--format", "{{.Config.Cmd}}", c).contains("sleep 120")) ? true : null);
    assertThat(ended(id).getString("status")).isEqualTo("cancelled");
    JsonObject never = ok(as(owner, org, HttpMethod.GET, "/api/paas/builds/" + waiting), 200);
    assertThat(never.getString("status")).isEqualTo("cancelled");
    assertThat(never.getString("started_at")).isNull();
    assertThat(never.getString("log_tail")).doesNotContain("Unpacking");
  }

  @Test
  void other_organizations_get_404_and_viewers_cannot_build() {
    JsonObject app = createApp("private");
    String appId = app.getString("id");
    assertThat(errorCode(upload(viewer, org, appId, webSource("x")), 403)).isEqualTo("forbidden");
    assertThat(errorCode(upload(stranger, strangerOrg, appId, webSource("x")), 404)).isEqualTo("not_found");
    assertThat(errorCode(upload(stranger, org, appId, webSource("x")), 404)).isEqualTo("not_found");
    assertThat(errorCode(as(stranger, strangerOrg, HttpMethod.GET, "/api/paas/apps/" + appId + "/builds"), 404)).isEqualTo("not_found");

    String id = ok(upload(owner, org, appId, tarball(Map.of("README", "no build"))), 201).getString("id");
    for (String path : new String[] {"/api/paas/builds/" + id, "/api/paas/builds/" + id + "/log"}) {
      assertThat(errorCode(as(stranger, strangerOrg, HttpMethod.GET, path), 404)).isEqualTo("not_found");
    }
    assertThat(errorCode(as(stranger, strangerOrg, HttpMethod.DELETE, "/api/paas/builds/" + id), 404)).isEqualTo("not_found");
    assertThat(ok(as(viewer, org, HttpMethod.GET, "/api/paas/builds/" + id), 200).getString("id")).isEqualTo(id);
  }

  @Test
  void keep_n_deletes_the_old_images_no_environment_runs() {
    JsonObject app = createApp("pruned");
    JsonObject first = ended(ok(upload(owner, org, app.getString("id"), webSource("first")), 201).getString("id"));
    JsonObject second = ended(ok(upload(owner, org, app.getString("id"), webSource("second")), 201).getString("id"));
    assertThat(first.getString("status")).isEqualTo("succeeded");
    assertThat(second.getString("status")).isEqualTo("succeeded");
    assertThat(second.getString("image_digest")).isNotEqualTo(first.getString("image_digest"));
    String repository = repository(second);
    assertThat(repository(first)).isEqualTo(repository);

    Eventually.await("the first image deleted from the registry", CONVERGE, () ->
        manifestStatus(repository, first.getString("image_digest")) == 404 ? true : null);
    assertThat(manifestStatus(repository, second.getString("image_digest"))).isEqualTo(200);
  }

  @Test
  void promotion_releases_the_built_digest_in_another_environment_with_its_own_config_without_rebuilding() {
    JsonObject app = createApp("pipeline");
    String appId = app.getString("id");
    String production = app.getJsonArray("environments").getJsonObject(0).getString("id");
    ok(as(owner, org, HttpMethod.PATCH, "/api/paas/environments/" + production + "/config", new JsonObject().put("ORIGIN", "production")), 200);
    String staging = ok(as(owner, org, HttpMethod.POST, "/api/paas/apps/" + appId + "/environments", new JsonObject().put("name", "staging")), 201)
        .getString("id");
    ok(as(owner, org, HttpMethod.PATCH, "/api/paas/environments/" + staging + "/config", new JsonObject().put("STAGE", "staging")), 200);
    assertThat(errorCode(promote(owner, org, staging, production, null), 422)).isEqualTo("no_live_release");

    JsonObject build = ended(ok(upload(owner, org, appId, webSource("promoted")), 201).getString("id"));
    assertThat(build.getString("status")).as(build.encode()).isEqualTo("succeeded");
    String key = UUID.randomUUID().toString();
    long promotions = server.count("activity_logs WHERE action = 'paas.release.promote' AND organization_id = '" + org + "'");
    JsonObject promoted = ok(promote(owner, org, production, staging, key), 201);

    // the same digest as the build, the source's process types and port, the target's config
    assertThat(promoted.getInteger("version")).isEqualTo(1);
    assertThat(promoted.getString("image_ref")).contains("@sha256:").isEqualTo(build.getString("image_ref"));
    assertThat(promoted.getString("image_digest")).isEqualTo(build.getString("image_digest"));
    assertThat(promoted.getString("description")).isEqualTo("Promote v1 from production");
    assertThat(promoted.getJsonObject("process_types")).isEqualTo(build.getJsonObject("process_types"));
    assertThat(promoted.getInteger("port")).isEqualTo(8080);
    assertThat(promoted.getJsonArray("config_vars")).containsExactly("STAGE");
    // a replay answers the same release and makes no other; one activity row
    assertThat(ok(promote(owner, org, production, staging, key), 201).getString("id")).isEqualTo(promoted.getString("id"));
    assertThat(server.count("activity_logs WHERE action = 'paas.release.promote' AND organization_id = '" + org + "'"))
        .isEqualTo(promotions + 1);
    served(staging, "promoted");
    // nothing was rebuilt; each environment has its one release
    assertThat(ok(as(viewer, org, HttpMethod.GET, "/api/paas/apps/" + appId + "/builds"), 200).getJsonArray("data")).hasSize(1);
    assertThat(ok(as(viewer, org, HttpMethod.GET, "/api/paas/environments/" + staging + "/releases"), 200).getJsonArray("data")).hasSize(1);
    assertThat(ok(as(viewer, org, HttpMethod.GET, "/api/paas/environments/" + staging), 200).getInteger("current_release")).isEqualTo(1);
  }

  @Test
  void promotion_needs_another_environment_of_the_same_app_a_developer_and_the_organization() {
    JsonObject app = createApp("promoting");
    String production = app.getJsonArray("environments").getJsonObject(0).getString("id");
    String review = ok(as(owner, org, HttpMethod.POST, "/api/paas/apps/" + app.getString("id") + "/environments",
        new JsonObject().put("name", "review")), 201).getString("id");
    String elsewhere = createApp("elsewhere").getJsonArray("environments").getJsonObject(0).getString("id");
    String image = TestImages.digestOf(TestImages.web("builds-promote", "promote me"));
    ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + production + "/deploy", new JsonObject().put("image_ref", image)), 201);

    assertThat(errorCode(promote(owner, org, production, production, null), 422)).isEqualTo("invalid_promotion_target");
    assertThat(errorCode(promote(owner, org, production, elsewhere, null), 422)).isEqualTo("invalid_promotion_target");
    assertThat(errorCode(promote(owner, org, production, UUID.randomUUID().toString(), null), 404)).isEqualTo("not_found");
    assertThat(errorCode(promote(owner, org, production, "not-an-id", null), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(promote(viewer, org, production, review, null), 403)).isEqualTo("forbidden");
    assertThat(errorCode(promote(stranger, strangerOrg, production, review, null), 404)).isEqualTo("not_found");
    // a foreign organization's environment is not a target either
    String foreign = ok(as(stranger, strangerOrg, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", "theirs")), 201)
        .getJsonArray("environments").getJsonObject(0).getString("id");
    assertThat(errorCode(promote(owner, org, production, foreign, null), 404)).isEqualTo("not_found");
    assertThat(ok(as(viewer, org, HttpMethod.GET, "/api/paas/environments/" + review + "/releases"), 200).getJsonArray("data")).isEmpty();
  }

  @Test
  void with_auto_deploy_off_a_build_succeeds_records_its_image_and_makes_no_release() {
    JsonObject app = createApp("manual");
    String envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    String path = "/api/paas/environments/" + envId;
    assertThat(ok(as(viewer, org, HttpMethod.GET, path), 200).getBoolean("auto_deploy")).isTrue();
    assertThat(errorCode(as(viewer, org, HttpMethod.PATCH, path, new JsonObject().put("auto_deploy", false)), 403)).isEqualTo("forbidden");
    assertThat(errorCode(as(stranger, strangerOrg, HttpMethod.PATCH, path, new JsonObject().put("auto_deploy", false)), 404)).isEqualTo("not_found");
    assertThat(ok(as(owner, org, HttpMethod.PATCH, path, new JsonObject().put("auto_deploy", false)), 200).getBoolean("auto_deploy")).isFalse();

    JsonObject build = ended(ok(upload(owner, org, app.getString("id"), webSource("not deployed")), 201).getString("id"));
    assertThat(build.getString("status")).as(build.encode()).isEqualTo("succeeded");
    assertThat(build.getString("image_ref")).isEqualTo(repository(build) + "@" + build.getString("image_digest"));
    assertThat(build.getJsonObject("release")).isNull();
    assertThat(build.getString("status_reason")).contains("not deployed").contains("auto-deploy is off");
    assertThat(build.getString("log_tail")).contains("Not deployed").doesNotContain("Released v");
    assertThat(manifestStatus(repository(build), build.getString("image_digest"))).isEqualTo(200);
    assertThat(ok(as(owner, org, HttpMethod.GET, path + "/releases"), 200).getJsonArray("data")).isEmpty();
    assertThat(ok(as(owner, org, HttpMethod.GET, path), 200).getValue("current_release")).isNull();
  }

  // --- helpers -----------------------------------------------------------------------------------

  private static JsonObject createApp(String name) {
    return ok(as(owner, org, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", name + "-" + UUID.randomUUID().toString().substring(0, 4))), 201);
  }

  private static HttpResponse<Buffer> as(ApiClient.Session who, String organization, HttpMethod method, String path) {
    return call(method, path, who.token(), organization, null);
  }

  private static HttpResponse<Buffer> as(ApiClient.Session who, String organization, HttpMethod method, String path, JsonObject body) {
    return call(method, path, who.token(), organization, body);
  }

  private static HttpResponse<Buffer> promote(ApiClient.Session who, String organization, String from, String to, String key) {
    var request = api.request(HttpMethod.POST, "/api/paas/environments/" + from + "/promote", who.token()).putHeader("X-Organization-Id", organization);
    if (key != null) {
      request.putHeader("Idempotency-Key", key);
    }
    return Await.result(request.sendJsonObject(new JsonObject().put("to", to)));
  }

  private static HttpResponse<Buffer> upload(ApiClient.Session who, String organization, String appId, byte[] tarball) {
    return Await.result(api.request(HttpMethod.POST, "/api/paas/apps/" + appId + "/builds", who.token())
        .putHeader("X-Organization-Id", organization).putHeader("Content-Type", "application/gzip").sendBuffer(Buffer.buffer(tarball)));
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response.bodyAsJsonObject();
  }

  private static String text(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.body() == null ? "" : response.bodyAsString();
  }

  /** The build once it has ended. */
  private static JsonObject ended(String buildId) {
    return Eventually.await("build " + buildId + " ended", BUILD, () -> {
      JsonObject build = ok(as(owner, org, HttpMethod.GET, "/api/paas/builds/" + buildId), 200);
      return Set.of("succeeded", "failed", "cancelled").contains(build.getString("status")) ? build : null;
    });
  }

  private static void served(String environmentId, String expected) {
    Eventually.await("environment " + environmentId + " serving '" + expected + "'", CONVERGE, () -> {
      JsonObject env = ok(as(owner, org, HttpMethod.GET, "/api/paas/environments/" + environmentId), 200);
      JsonObject web = env.getJsonArray("processes").stream().map(JsonObject.class::cast).filter(p -> "web".equals(p.getString("type")))
          .findFirst().orElse(null);
      if (!"running".equals(env.getString("status")) || web == null || web.getJsonArray("endpoints").isEmpty()) {
        return null;
      }
      Await.result(gateway.syncNetworks());
      JsonObject endpoint = web.getJsonArray("endpoints").getJsonObject(0);
      try {
        return expected.equals(OverlayHttp.get(relayPort, endpoint.getString("address"), endpoint.getInteger("port")).trim()) ? true : null;
      } catch (IOException e) {
        return null;
      }
    });
  }

  /** {@code <registry>/org-<org>/<app slug>} of a built image. */
  private static String repository(JsonObject build) {
    String image = build.getString("image_ref");
    return image.substring(0, image.indexOf('@'));
  }

  private static java.util.List<String> tags(String repository) {
    HttpResponse<Buffer> response = Await.result(registryRequest(HttpMethod.GET, "/v2/" + path(repository) + "/tags/list").send());
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    var tags = response.bodyAsJsonObject().getJsonArray("tags");
    return tags == null ? java.util.List.of() : tags.stream().map(Object::toString).toList();
  }

  private static int manifestStatus(String repository, String digest) {
    return Await.result(registryRequest(HttpMethod.HEAD, "/v2/" + path(repository) + "/manifests/" + digest)
        .putHeader("Accept", "application/vnd.docker.distribution.manifest.v2+json").send()).statusCode();
  }

  private static io.vertx.ext.web.client.HttpRequest<Buffer> registryRequest(HttpMethod method, String path) {
    String[] hostPort = ControlPlaneServer.REGISTRY.split(":");
    return registry.request(method, Integer.parseInt(hostPort[1]), hostPort[0], path)
        .basicAuthentication(ControlPlaneServer.REGISTRY_USERNAME, ControlPlaneServer.REGISTRY_PASSWORD);
  }

  private static String path(String repository) {
    return repository.substring(ControlPlaneServer.REGISTRY.length() + 1);
  }

  private static Map<String, String> webFiles(String body) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("Dockerfile", "FROM " + TestImages.BUSYBOX + "\nCOPY index.html /var/www/index.html\nEXPOSE 8080\n"
        + "CMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/var/www\"]\n");
    files.put("index.html", body);
    return files;
  }

  private static byte[] webSource(String body) {
    return tarball(webFiles(body));
  }

  /** A gzipped tarball of {@code files} (names as given, so a test can write '../x'). */
  private static byte[] tarball(Map<String, String> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
      for (Map.Entry<String, String> file : files.entrySet()) {
        byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey(), true);
        entry.setSize(content.length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
