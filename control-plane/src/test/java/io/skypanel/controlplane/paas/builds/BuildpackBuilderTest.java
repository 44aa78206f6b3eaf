package io.skypanel.controlplane.paas.builds;

import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.controlplane.paas.builds.buildpacks.BuildpackCatalog;
import io.skypanel.controlplane.paas.builds.buildpacks.BuildpackFiles;
import io.skypanel.controlplane.paas.builds.buildpacks.BuildpackRun;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The buildpack builder against the real engine and the stack images of scripts/build-images.sh: each shipped
 * buildpack builds a sample source (offline) into an image that answers on $PORT, detection order and pins, the
 * per-app build cache, a failing compile, the time limit, and no builder container left behind.
 */
class BuildpackBuilderTest extends ApiTestBase {

  private static final Duration BUILD = Duration.ofMinutes(4);
  private static final String REPOSITORY = "skypanel-test/buildpacks";

  private static final List<String> containers = Collections.synchronizedList(new ArrayList<>());
  private static final List<String> images = Collections.synchronizedList(new ArrayList<>());
  private static final List<String> apps = Collections.synchronizedList(new ArrayList<>());
  private static final List<Path> directories = Collections.synchronizedList(new ArrayList<>());
  private static ApiClient.Session owner;
  private static String org;
  private static Path operatorBuildpacks;
  private static BuildpackBuilder builder;

  @BeforeAll
  static void builderWithStack() throws IOException {
    owner = newUser("Buildpack Owner");
    org = createOrganization(owner, "Buildpacks " + UUID.randomUUID().toString().substring(0, 6)).getString("id");
    TestServers.execute(server.database(), "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'performance') WHERE id = '" + org + "'");
    // an operator's buildpack directory with test buildpacks (and the catalog rows that offer them)
    operatorBuildpacks = Files.createTempDirectory("skypanel-buildpacks-");
    directories.add(operatorBuildpacks);
    buildpack("test-failing", "echo compiling; for i in $(seq 1 30); do echo step $i; done; echo 'boom: the compiler broke' >&2; exit 3");
    buildpack("test-slow", "echo slow; exec sleep 120");
    TestServers.execute(server.database(), """
        INSERT INTO paas_buildpacks (slug, name, source_type, source_url) VALUES
          ('test-failing', 'Failing', 'builtin', 'builtin:test-failing'), ('test-slow', 'Slow', 'builtin', 'builtin:test-slow')""");
    ControlPlaneOptions.Buildpacks defaults = ControlPlaneOptions.from(server.platform().settings()).buildpacks();
    ControlPlaneOptions.Buildpacks options = new ControlPlaneOptions.Buildpacks(operatorBuildpacks, defaults.network(), defaults.pidsLimit());
    builder = new BuildpackBuilder(server.platform().pool(), new BuildpackCatalog(),
        new BuildpackRun(server.platform().vertx(), server.platform().docker(), new BuildpackFiles(options.directory()), options));
  }

  @AfterAll
  static void removeLeftovers() {
    containers.forEach(id -> TestImages.dockerResult("rm", "-f", id));
    images.forEach(tag -> TestImages.dockerResult("rmi", "-f", tag));
    apps.forEach(app -> TestImages.dockerResult("volume", "rm", "-f", "skypanel-buildcache-" + app));
    for (Path dir : directories) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        // a leftover temporary directory is harmless
      }
    }
  }

  private static void buildpack(String slug, String compile) throws IOException {
    Path bin = Files.createDirectories(operatorBuildpacks.resolve(slug).resolve("bin"));
    script(bin.resolve("detect"), "echo " + slug);
    script(bin.resolve("compile"), compile);
    script(bin.resolve("release"), "echo '--- {}'");
  }

  private static void script(Path path, String body) throws IOException {
    Files.writeString(path, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static UUID app(String name) {
    var created = call(HttpMethod.POST, "/api/paas/apps", owner.token(), org, new JsonObject().put("name", name));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    apps.add(created.bodyAsJsonObject().getString("id"));
    return UUID.fromString(created.bodyAsJsonObject().getString("id"));
  }

  private static Path source(Map<String, String> files) throws IOException {
    Path dir = Files.createTempDirectory("skypanel-source-");
    directories.add(dir);
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path path = dir.resolve(file.getKey());
      Files.createDirectories(path.getParent());
      Files.writeString(path, file.getValue());
    }
    return dir;
  }

  private record Outcome(BuildJob job, BuiltImage image, Throwable failure, List<String> log) {
    String text() {
      return String.join("\n", log);
    }
  }

  private static Outcome build(UUID app, Path source, List<String> pins, Duration timeout) {
    UUID buildId = UUID.randomUUID();
    String tag = REPOSITORY + ":" + buildId;
    images.add(tag);
    BuildJob job = new BuildJob(buildId, UUID.fromString(org), app, source, tag, null, Map.of(), null, pins, 1.0, 1024, timeout);
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    Future<BuiltImage> future = builder.build(job, log::add);
    try {
      return new Outcome(job, future.toCompletionStage().toCompletableFuture().get(BUILD.toSeconds(), TimeUnit.SECONDS), null, log);
    } catch (ExecutionException e) {
      return new Outcome(job, null, e.getCause(), log);
    } catch (Exception e) {
      throw new IllegalStateException("the build did not end within " + BUILD + "; log:\n" + String.join("\n", log), e);
    } finally {
      // whatever the outcome, the builder container is gone
      assertThat(TestImages.docker("ps", "-aq", "--filter", "label=skypanel.build=" + buildId).trim())
          .as("builder containers of build " + buildId).isEmpty();
    }
  }

  private static BuiltImage built(Outcome outcome) {
    assertThat(outcome.failure()).as("build failure; log:\n" + outcome.text()).isNull();
    return outcome.image();
  }

  /** Starts the image with its own command on PORT 5000 (no network: only its loopback) and returns what / answers. */
  private static String served(String image, String expected) {
    String id = TestImages.docker("run", "-d", "--network", "none", "--label", "skypanel.test=true", "-e", "PORT=5000", image).trim();
    containers.add(id);
    String probe = "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:5000/', timeout=2).read().decode())";
    try {
      return Eventually.await(image + " answering on $PORT", Duration.ofSeconds(30), () -> {
        TestImages.Result result = TestImages.dockerResult("exec", id, "python3", "-c", probe);
        return result.code() == 0 && result.out().contains(expected) ? result.out().trim() : null;
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; container log: " + TestImages.dockerResult("logs", id).out(), e);
    }
  }

  @Test
  void static_site_is_served_by_the_run_image_on_port() throws IOException {
    Outcome outcome = build(app("site"), source(Map.of("public/index.html", "<h1>static ok</h1>\n", "README.md", "docs")), List.of(), BUILD);
    BuiltImage image = built(outcome);
    assertThat(image.builder()).isEqualTo("buildpacks:static");
    assertThat(image.processTypes()).containsKey("web");
    assertThat(image.processTypes().get("web")).contains("/app/public");
    assertThat(served(image.imageTag(), "static ok")).contains("static ok");
    assertThat(TestImages.docker("image", "inspect", "--format", "{{.Config.User}}", image.imageTag()).trim()).isEqualTo("10001:10001");
  }

  @Test
  void nodejs_app_without_dependencies_builds_offline_and_runs_its_main() throws IOException {
    String server = "require('http').createServer((q, s) => s.end('node ok ' + process.env.NODE_ENV)).listen(process.env.PORT);\n";
    Outcome outcome = build(app("node"), source(Map.of("package.json", "{\"name\": \"node-sample\", \"main\": \"server.js\"}",
        "server.js", server, "public/index.html", "a static page a Node.js app also has")), List.of(), BUILD);
    BuiltImage image = built(outcome);
    // nodejs comes before static in the stack's detection order
    assertThat(image.builder()).isEqualTo("buildpacks:nodejs");
    assertThat(image.processTypes()).containsEntry("web", "exec node server.js");
    assertThat(outcome.text()).contains("Node.js app detected").contains("No dependencies in package.json");
    assertThat(served(image.imageTag(), "node ok")).contains("node ok production");
  }

  @Test
  void python_app_gets_a_virtualenv_kept_in_the_apps_build_cache() throws IOException {
    UUID app = app("py");
    String appPy = """
        import os, sys, http.server
        class Hello(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.end_headers(); self.wfile.write(("python ok " + sys.prefix).encode())
        http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), Hello).serve_forever()
        """;
    Map<String, String> files = Map.of("requirements.txt", "# no dependencies\n", "app.py", appPy);
    Outcome first = build(app, source(files), List.of(), BUILD);
    BuiltImage image = built(first);
    assertThat(image.builder()).isEqualTo("buildpacks:python");
    assertThat(first.text()).contains("Creating a virtualenv").doesNotContain("Restoring the virtualenv");
    // the web process runs the virtualenv's python (config_vars PATH)
    assertThat(served(image.imageTag(), "python ok")).contains("python ok /app/.venv");

    Outcome second = build(app, source(files), List.of(), BUILD);
    assertThat(built(second).builder()).isEqualTo("buildpacks:python");
    assertThat(second.text()).contains("Restoring the virtualenv from the build cache");
    assertThat(served(second.image().imageTag(), "python ok")).contains("python ok /app/.venv");
  }

  @Test
  void procfile_app_runs_its_web_command_without_a_build_step() throws IOException {
    Map<String, String> files = Map.of("Procfile", "web: sh ./start.sh\nworker: sleep infinity\n",
        "start.sh", "mkdir -p site && echo 'procfile ok' > site/index.html\nexec python3 -m http.server \"$PORT\" --directory site\n");
    Outcome outcome = build(app("shell"), source(files), List.of(), BUILD);
    BuiltImage image = built(outcome);
    assertThat(image.builder()).isEqualTo("buildpacks:procfile");
    assertThat(image.processTypes()).containsEntry("web", "sh ./start.sh").containsEntry("worker", "sleep infinity");
    assertThat(outcome.text()).contains("no build step");
    assertThat(served(image.imageTag(), "procfile ok")).contains("procfile ok");
  }

  @Test
  void a_procfile_wins_over_the_buildpacks_default_web() throws IOException {
    Outcome outcome = build(app("both"), source(Map.of("index.html", "<p>page</p>",
        "Procfile", "web: exec python3 -m http.server $PORT --directory /app\n")), List.of(), BUILD);
    BuiltImage image = built(outcome);
    assertThat(image.builder()).isEqualTo("buildpacks:static");
    assertThat(image.processTypes()).containsEntry("web", "exec python3 -m http.server $PORT --directory /app");
  }

  @Test
  void a_pinned_buildpack_is_used_even_when_another_would_detect_first() throws IOException {
    UUID app = app("pinned");
    Path source = source(Map.of("package.json", "{\"name\": \"x\", \"scripts\": {\"start\": \"node nothing.js\"}}",
        "index.html", "<h1>pinned static</h1>"));
    // pinned through the API: the job names no buildpacks, the builder reads the app's pins
    var pinned = call(HttpMethod.PUT, "/api/paas/apps/" + app + "/buildpacks", owner.token(), org,
        new JsonObject().put("updates", new JsonArray().add(new JsonObject().put("buildpack", "static"))));
    assertThat(pinned.statusCode()).as(pinned.bodyAsString()).isEqualTo(200);
    BuiltImage image = built(build(app, source, List.of(), BUILD));
    assertThat(image.builder()).isEqualTo("buildpacks:static");
    assertThat(served(image.imageTag(), "pinned static")).contains("pinned static");
  }

  @Test
  void a_source_no_buildpack_detects_fails_saying_what_they_look_for() throws IOException {
    Outcome outcome = build(app("nothing"), source(Map.of("notes.txt", "no app here")), List.of(), BUILD);
    assertThat(outcome.failure()).isInstanceOf(BuildFailedException.class);
    assertThat(outcome.failure().getMessage()).contains("no buildpack").contains("nodejs, python, static, procfile");
  }

  @Test
  void a_stack_whose_build_image_is_missing_fails_the_build_naming_it() throws IOException {
    UUID app = app("nostack");
    String stack = "test-missing-" + UUID.randomUUID().toString().substring(0, 8);
    TestServers.execute(server.database(), "INSERT INTO paas_stacks (slug, name, build_image, run_image) VALUES ('" + stack
        + "', 'Missing', 'skypanel-test/no-such-build:1', 'skypanel-test/no-such-run:1')");
    TestServers.execute(server.database(), "UPDATE paas_apps SET stack_id = (SELECT id FROM paas_stacks WHERE slug = '" + stack
        + "') WHERE id = '" + app + "'");
    Outcome outcome = build(app, source(Map.of("index.html", "x")), List.of("static"), BUILD);
    assertThat(outcome.failure()).isInstanceOf(BuildFailedException.class);
    assertThat(outcome.failure().getMessage()).contains("skypanel-test/no-such-build:1").contains("build-images.sh");
  }

  @Test
  void a_failing_compile_fails_the_build_with_the_tail_of_its_output() throws IOException {
    Outcome outcome = build(app("broken"), source(Map.of("index.html", "x")), List.of("test-failing"), BUILD);
    assertThat(outcome.failure()).isInstanceOf(BuildFailedException.class);
    assertThat(outcome.failure().getMessage()).contains("test-failing").contains("exit code 3")
        .contains("boom: the compiler broke").contains("step 30").doesNotContain("step 5\n");
    assertThat(outcome.text()).contains("step 1");
    assertThat(TestImages.dockerResult("image", "inspect", outcome.job().imageTag()).code()).isNotZero();
  }

  @Test
  void a_build_past_its_time_limit_fails_and_leaves_no_builder() throws IOException {
    long started = System.nanoTime();
    Outcome outcome = build(app("slow"), source(Map.of("index.html", "x")), List.of("test-slow"), Duration.ofSeconds(8));
    assertThat(outcome.failure()).isInstanceOf(BuildFailedException.class);
    assertThat(outcome.failure().getMessage()).contains("time limit");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
  }
}
