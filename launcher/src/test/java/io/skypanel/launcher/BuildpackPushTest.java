package io.skypanel.launcher;

import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.ControlPlaneServer;
import io.skypanel.controlplane.support.GitCli;
import io.skypanel.controlplane.support.TestImages;
import io.skypanel.launcher.support.WholePlatform;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole platform with the real build pipeline: a {@code git push} (the real git client, an API token as the
 * password) of a Node.js app, a Python app and a static site, none with a Dockerfile or dependencies (so the
 * buildpacks build offline on the local stack images), is built, pushed to the platform registry, deployed and
 * answers through the edge at its environment's default hostname. Another organization's token finds no such
 * repository (404) for a push or a clone; a wrong token is not let in (401).
 */
class BuildpackPushTest {

  /** A buildpack build, its push to the registry and the rollout; generous, the machine is shared. */
  private static final Duration CONVERGE = Duration.ofSeconds(240);

  private static WholePlatform platform;
  private static ApiClient api;
  private static final List<String> apps = new ArrayList<>();
  private static ApiClient.Session owner;

  @TempDir
  Path home;

  @BeforeAll
  static void start() throws IOException {
    // the platform registry as control-plane's API tests use it (scripts/prepare-test-servers.sh starts it)
    platform = WholePlatform.builder("buildpacks")
        .set("SKYPANEL_REGISTRY", ControlPlaneServer.REGISTRY)
        .set("SKYPANEL_REGISTRY_USERNAME", ControlPlaneServer.REGISTRY_USERNAME)
        .set("SKYPANEL_REGISTRY_PASSWORD", ControlPlaneServer.REGISTRY_PASSWORD)
        .set("SKYPANEL_REGISTRY_KEEP", "2")
        .start();
    api = platform.api();
    owner = platform.newUser("Buildpack Pusher");
    platform.usePlan(owner.personalOrganizationId(), "performance");
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (platform == null || owner == null) {
      if (platform != null) {
        platform.close();
      }
      return;
    }
    try {
      for (String app : apps) {
        var deleted = Await.result(api.send(HttpMethod.DELETE, "/api/paas/apps/" + app, owner.token(), null));
        assertThat(deleted.statusCode()).as("DELETE app " + app + ": " + deleted.bodyAsString()).isEqualTo(204);
      }
      for (String app : apps) {
        // the build cache volume of the app's buildpack builds
        TestImages.dockerResult("volume", "rm", "-f", "skypanel-buildcache-" + app);
      }
    } finally {
      // removes what a failed test left behind, once the reconciler that would recreate it is stopped
      platform.close();
      // the app images the tasks pulled from the registry (labelled with the organization by the builders)
      for (String image : TestImages.docker("images", "-q", "--filter", "label=skypanel.org=" + owner.personalOrganizationId())
          .trim().split("\\s+")) {
        if (!image.isBlank()) {
          TestImages.dockerResult("rmi", "-f", image);
        }
      }
    }
  }

  private static JsonObject call(ApiClient.Session session, HttpMethod method, String path, JsonObject body, int status) {
    var response = Await.result(api.send(method, path, session.token(), body));
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.bodyAsString()).isEqualTo(status);
    return response.bodyAsJsonObject();
  }

  private static String apiToken(ApiClient.Session session) {
    return call(session, HttpMethod.POST, "/api/auth/tokens", new JsonObject().put("name", "git"), 201).getString("token");
  }

  private static String gitUrl(String token, String slug) {
    return "http://git:" + token + "@127.0.0.1:" + platform.running().port("control-plane") + "/git/" + slug + ".git";
  }

  /** A new app of the owner, remembered for deletion; its JSON. */
  private static JsonObject app(String name) {
    JsonObject app = call(owner, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", name), 201);
    apps.add(app.getString("id"));
    return app;
  }

  /** What the edge answers at {@code host} once it is a 200 containing {@code expected}. */
  private static String servedAtEdge(String host, String expected) {
    return Eventually.await(host + " answering '" + expected + "' at the edge", CONVERGE, () -> {
      WholePlatform.EdgeAnswer answer = platform.viaEdge(host);
      return answer.statusCode() == 200 && answer.body().contains(expected) ? answer.body().trim() : null;
    });
  }

  /** Pushes {@code files} as a new app's first commit; the push's output (git writes {@code remote:} lines to stderr). */
  private String pushNewApp(GitCli git, String token, JsonObject app, Map<String, String> files) {
    Path repo = git.init(app.getString("slug"));
    git.commit(repo, files, "first");
    GitCli.Result pushed = git.run(repo, "push", gitUrl(token, app.getString("slug")), "main");
    assertThat(pushed.exit()).as("push of " + app.getString("slug") + ": " + pushed.stderr()).isZero();
    return pushed.stderr();
  }

  @Test
  void pushed_node_python_and_static_apps_are_built_by_buildpacks_and_served_at_their_hostnames() {
    GitCli git = new GitCli(home);
    String token = apiToken(owner);
    JsonObject node = app("node");
    JsonObject python = app("python");
    JsonObject site = app("site");

    String nodeOut = pushNewApp(git, token, node, Map.of("package.json", "{\"name\": \"pushed-node\", \"main\": \"server.js\"}",
        "server.js", "require('http').createServer((q, s) => s.end('node pushed ' + process.env.NODE_ENV)).listen(process.env.PORT);\n"));
    String pythonOut = pushNewApp(git, token, python, Map.of("requirements.txt", "# no dependencies\n", "app.py", """
        import os, http.server
        class Hello(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.end_headers(); self.wfile.write(b"python pushed")
        http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), Hello).serve_forever()
        """));
    String siteOut = pushNewApp(git, token, site, Map.of("public/index.html", "<h1>static pushed</h1>\n"));

    // the build log reached git as remote: lines, through to the release it deployed
    assertThat(nodeOut).contains("remote: ").contains("Node.js app detected").contains("Deployed as release v1");
    assertThat(pythonOut).contains("remote: ").contains("Creating a virtualenv").contains("Deployed as release v1");
    assertThat(siteOut).contains("remote: ").contains("Static site: serving public/").contains("Deployed as release v1");
    assertThat(servedAtEdge(defaultDomain(node), "node pushed")).isEqualTo("node pushed production");
    assertThat(servedAtEdge(defaultDomain(python), "python pushed")).isEqualTo("python pushed");
    assertThat(servedAtEdge(defaultDomain(site), "static pushed")).isEqualTo("<h1>static pushed</h1>");
  }

  @Test
  void another_organizations_token_can_neither_push_nor_clone_and_a_wrong_token_gets_401() {
    GitCli git = new GitCli(home);
    JsonObject app = app("private");
    String slug = app.getString("slug");
    Path repo = git.init("private");
    git.commit(repo, Map.of("public/index.html", "<p>private</p>\n"), "first");
    ApiClient.Session stranger = platform.newUser("Stranger");
    String strangerToken = apiToken(stranger);

    GitCli.Result pushed = git.run(repo, "push", gitUrl(strangerToken, slug), "main");
    GitCli.Result cloned = git.run(home, "clone", "-q", gitUrl(strangerToken, slug), "stolen");
    GitCli.Result wrong = git.run(home, "clone", "-q", gitUrl("skp_not-a-token", slug), "guessed");

    assertThat(pushed.exit()).isNotZero();
    assertThat(pushed.stderr()).contains("not found");
    assertThat(cloned.exit()).isNotZero();
    assertThat(cloned.stderr()).contains("not found");
    assertThat(home.resolve("stolen")).doesNotExist();
    assertThat(wrong.exit()).isNotZero();
    assertThat(wrong.stderr()).contains("Authentication failed");
    assertThat(home.resolve("guessed")).doesNotExist();
    // the statuses behind those messages, for a push's and a clone's first request
    assertThat(infoRefs(slug, "git-receive-pack", strangerToken)).isEqualTo(404);
    assertThat(infoRefs(slug, "git-upload-pack", strangerToken)).isEqualTo(404);
    assertThat(infoRefs(slug, "git-upload-pack", "skp_not-a-token")).isEqualTo(401);
    // nothing was built or released for the app
    assertThat(call(owner, HttpMethod.GET, "/api/paas/environments/" + app.getJsonArray("environments").getJsonObject(0).getString("id"),
        null, 200).getValue("current_release")).isNull();
  }

  private static int infoRefs(String slug, String service, String token) {
    return Await.result(platform.web().get(platform.running().port("control-plane"), "127.0.0.1",
        "/git/" + slug + ".git/info/refs?service=" + service).basicAuthentication("git", token).send()).statusCode();
  }

  private static String defaultDomain(JsonObject app) {
    return app.getJsonArray("environments").getJsonObject(0).getString("default_domain");
  }
}
