package io.skypanel.controlplane.paas.builds;

import com.github.dockerjava.api.exception.NotFoundException;
import io.skypanel.common.gateway.EdgeGateway;
import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.TestGateway;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.PaasTenant;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.OverlayHttp;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11's build extras through the API against the real engine and registry: Dockerfile build args and target
 * stage on an upload (validated, recorded, honoured by the engine), the environment's config vars in a buildpack's
 * {@code ENV_DIR}, and an app's deletion removing its build cache volume, the build directories it left and its git
 * repository.
 */
class BuildExtrasApiTest extends ApiTestBase {

  private static final Duration BUILD = Duration.ofSeconds(240);
  private static final Duration CONVERGE = Duration.ofSeconds(120);
  private static final String ENV_BUILDPACK = "test-envdir";

  private static Path buildpacks;
  private static Path buildDir;
  private static Path gitDir;
  private static EdgeGateway gateway;
  private static int relayPort;
  private static ApiClient.Session owner;
  private static String org;
  private static PaasTenant tenant;
  private static final java.util.List<String> apps = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** An operator buildpack that reports what its ENV_DIR holds, and a build directory this class can look into. */
  static JsonObject controlPlaneSettings() throws IOException {
    buildpacks = Files.createTempDirectory("skypanel-buildpacks-");
    buildDir = Files.createTempDirectory("skypanel-builds-");
    gitDir = Files.createTempDirectory("skypanel-git-");
    Path bin = Files.createDirectories(buildpacks.resolve(ENV_BUILDPACK).resolve("bin"));
    script(bin.resolve("detect"), "echo EnvDir");
    script(bin.resolve("compile"), "echo \"ENV_DIR holds: $(ls \"$3\" | tr '\\n' ' ')\"; echo \"GREETING is $(cat \"$3/GREETING\")\"; "
        + "echo cached > \"$2/marker\"");
    script(bin.resolve("release"), "echo '--- {}'");
    return new JsonObject().put("SKYPANEL_BUILDPACKS_DIR", buildpacks.toString()).put("SKYPANEL_BUILD_DIR", buildDir.toString())
        .put("SKYPANEL_GIT_DIR", gitDir.toString());
  }

  private static void script(Path path, String body) throws IOException {
    Files.writeString(path, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @BeforeAll
  static void organization() {
    TestImages.busybox();
    tenant = PaasTenant.create("Extras");
    owner = tenant.owner;
    org = tenant.org;
    TestServers.execute(server.database(), "INSERT INTO paas_buildpacks (slug, name, source_type, source_url) VALUES ('" + ENV_BUILDPACK
        + "', 'Env dir', 'builtin', 'builtin:" + ENV_BUILDPACK + "') ON CONFLICT DO NOTHING");
    gateway = TestGateway.create(server.platform().vertx(), server.platform().docker(), "extras-" + UUID.randomUUID().toString().substring(0, 8), Map.of());
    relayPort = Await.result(gateway.start()).getPort();
  }

  @AfterAll
  static void removeLeftovers() throws InterruptedException {
    if (gateway != null) {
      Await.result(gateway.remove());
    }
    if (org != null) {
      tenant.removeLeftovers(CONVERGE);
      for (String image : TestImages.docker("images", "-q", "--filter", "label=skypanel.org=" + org).split("\\s+")) {
        if (!image.isBlank()) {
          TestImages.dockerResult("rmi", "-f", image);
        }
      }
    }
    apps.forEach(app -> TestImages.dockerResult("volume", "rm", "-f", "skypanel-buildcache-" + app));
    for (Path dir : new Path[] {buildpacks, buildDir, gitDir}) {
      if (dir != null) {
        try (var paths = Files.walk(dir)) {
          paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
          // a leftover temporary directory is harmless
        }
      }
    }
  }

  @Test
  void build_args_and_target_choose_what_the_dockerfile_builds_and_are_recorded() {
    JsonObject app = createApp("args");
    String envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    Map<String, String> files = new LinkedHashMap<>();
    files.put("Dockerfile", "FROM " + TestImages.BUSYBOX + " AS web\nARG GREETING=unset\n"
        + "RUN mkdir -p /var/www && echo \"$GREETING from the web stage\" > /var/www/index.html\nEXPOSE 8080\n"
        + "CMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/var/www\"]\n"
        + "FROM web AS last\nRUN echo 'the last stage' > /var/www/index.html\n");

    JsonObject queued = ok(upload(app.getString("id"), "?build_arg=" + encode("GREETING=hello there") + "&target=web", tarball(files)), 201);
    assertThat(queued.getJsonObject("build_args")).isEqualTo(new JsonObject().put("GREETING", "hello there"));
    assertThat(queued.getString("target")).isEqualTo("web");

    JsonObject build = ended(queued.getString("id"));
    assertThat(build.getString("status")).as(build.encode()).isEqualTo("succeeded");
    assertThat(build.getJsonObject("build_args")).isEqualTo(new JsonObject().put("GREETING", "hello there"));
    served(envId, "hello there from the web stage");
  }

  @Test
  void rejects_invalid_build_args_or_target_with_400_and_records_no_build() {
    JsonObject app = createApp("badargs");
    byte[] source = tarball(Map.of("Dockerfile", "FROM " + TestImages.BUSYBOX + "\nCMD [\"true\"]\n"));
    for (String query : new String[] {"?build_arg=" + encode("1BAD=x"), "?build_arg=novalue", "?build_args=" + encode("[1]"),
        "?build_args=" + encode("{\"A\":{\"nested\":1}}"), "?build_args=" + encode("{\"A-B\":\"x\"}"), "?target=" + encode("-stage")}) {
      HttpResponse<Buffer> response = upload(app.getString("id"), query, source);
      assertThat(errorCode(response, 400)).as(query).isEqualTo("validation_failed");
    }
    // too long for a URL: as a multipart form field
    HttpResponse<Buffer> big = Await.result(api.request(HttpMethod.POST, "/api/paas/apps/" + app.getString("id") + "/builds", owner.token())
        .putHeader("X-Organization-Id", org).sendMultipartForm(MultipartForm.create()
            .attribute("build_arg", "BIG=" + "x".repeat(BuildArgs.MAX_VALUE + 1))
            .binaryFileUpload("source", "source.tar.gz", Buffer.buffer(source), "application/gzip")));
    assertThat(errorCode(big, 400)).isEqualTo("validation_failed");
    assertThat(big.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("BIG");
    JsonObject page = ok(call(HttpMethod.GET, "/api/paas/apps/" + app.getString("id") + "/builds", owner.token(), org, null), 200);
    assertThat(page.getJsonArray("data")).isEmpty();
  }

  @Test
  void a_buildpack_compile_reads_the_environments_config_vars_in_env_dir_and_app_deletion_removes_the_build_cache() throws IOException {
    JsonObject app = createApp("envdir");
    String appId = app.getString("id");
    String envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    ok(call(HttpMethod.PATCH, "/api/paas/environments/" + envId + "/config", owner.token(), org,
        new JsonObject().put("GREETING", "from the config vars")), 200);
    // the image is what this test is about: no release (nothing to run)
    ok(call(HttpMethod.PATCH, "/api/paas/environments/" + envId, owner.token(), org, new JsonObject().put("auto_deploy", false)), 200);
    ok(call(HttpMethod.PUT, "/api/paas/apps/" + appId + "/buildpacks", owner.token(), org,
        new JsonObject().put("updates", new JsonArray().add(new JsonObject().put("buildpack", ENV_BUILDPACK)))), 200);

    JsonObject build = ended(ok(upload(appId, "", tarball(Map.of("hello.txt", "hi"))), 201).getString("id"));
    assertThat(build.getString("status")).as(build.encode()).isEqualTo("succeeded");
    String log = text(call(HttpMethod.GET, "/api/paas/builds/" + build.getString("id") + "/log", owner.token(), org, null));
    assertThat(log).contains("ENV_DIR holds: GREETING").contains("GREETING is from the config vars")
        .contains("Config vars in ENV_DIR: GREETING");
    String volume = "skypanel-buildcache-" + appId;
    assertThat(volumeExists(volume)).as("the app's build cache after a buildpack build").isTrue();

    // a build directory a crash left behind, named by one of the app's builds
    Path leftover = Files.createDirectories(buildDir.resolve(build.getString("id")).resolve("source"));
    Files.writeString(leftover.resolve("app.js"), "left behind");

    // and the app's git repository (as a push creates it)
    Path repository = Files.createDirectories(gitDir.resolve(appId + ".git").resolve("refs").resolve("heads"));
    Files.writeString(repository.resolve("main"), "0".repeat(40) + "\n");

    assertThat(call(HttpMethod.DELETE, "/api/paas/apps/" + appId, owner.token(), org, null).statusCode()).isIn(200, 202, 204);
    Eventually.await("the build cache volume, build directory and git repository of deleted app " + appId + " removed", CONVERGE, () ->
        !volumeExists(volume) && !Files.exists(buildDir.resolve(build.getString("id"))) && !Files.exists(gitDir.resolve(appId + ".git"))
            ? true : null);
  }

  // --- helpers -----------------------------------------------------------------------------------

  private static boolean volumeExists(String name) {
    try {
      Await.result(server.platform().docker().call(docker -> docker.inspectVolumeCmd(name).exec()));
      return true;
    } catch (RuntimeException e) {
      if (e instanceof NotFoundException || e.getCause() instanceof NotFoundException) {
        return false;
      }
      throw e;
    }
  }

  private static JsonObject createApp(String name) {
    JsonObject app = ok(call(HttpMethod.POST, "/api/paas/apps", owner.token(), org,
        new JsonObject().put("name", name + "-" + UUID.randomUUID().toString().substring(0, 4))), 201);
    apps.add(app.getString("id"));
    return app;
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static HttpResponse<Buffer> upload(String appId, String query, byte[] tarball) {
    return Await.result(api.request(HttpMethod.POST, "/api/paas/apps/" + appId + "/builds" + query, owner.token())
        .putHeader("X-Organization-Id", org).putHeader("Content-Type", "application/gzip").sendBuffer(Buffer.buffer(tarball)));
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response.bodyAsJsonObject();
  }

  private static String text(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.body() == null ? "" : response.bodyAsString();
  }

  private static JsonObject ended(String buildId) {
    return Eventually.await("build " + buildId + " ended", BUILD, () -> {
      JsonObject build = ok(call(HttpMethod.GET, "/api/paas/builds/" + buildId, owner.token(), org, null), 200);
      return Set.of("succeeded", "failed", "cancelled").contains(build.getString("status")) ? build : null;
    });
  }

  private static void served(String environmentId, String expected) {
    Eventually.await("environment " + environmentId + " serving '" + expected + "'", CONVERGE, () -> {
      JsonObject env = ok(call(HttpMethod.GET, "/api/paas/environments/" + environmentId, owner.token(), org, null), 200);
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
