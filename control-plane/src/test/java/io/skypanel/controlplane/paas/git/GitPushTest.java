package io.skypanel.controlplane.paas.git;

import io.skypanel.controlplane.paas.builds.BuildSource;
import io.skypanel.controlplane.paas.builds.SourceBuilds;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.GitCli;
import io.skypanel.controlplane.support.RecordingSourceBuilds;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.skypanel.common.testing.Eventually;

import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code git push} and clone over smart HTTP with the real git client against a control plane on loopback whose
 * builds are recorded ({@link RecordingSourceBuilds}): what is built, what git shows, what is refused.
 */
class GitPushTest extends ApiTestBase {

  private static final RecordingSourceBuilds BUILDS = new RecordingSourceBuilds();

  @TempDir
  Path home;
  private GitCli git;

  static SourceBuilds sourceBuilds() {
    return BUILDS;
  }

  @BeforeEach
  void fresh() {
    BUILDS.clear();
    git = new GitCli(home);
  }

  @Test
  void push_to_main_builds_that_commit_and_relays_the_build_log_as_remote_lines() throws Exception {
    Owner owner = owner("Pusher");
    Path repo = git.init("app");
    Files.createDirectories(repo.resolve("bin"));
    Files.writeString(repo.resolve("bin/start"), "#!/bin/sh\necho hi\n");
    repo.resolve("bin/start").toFile().setExecutable(true);
    Files.createSymbolicLink(repo.resolve("link"), Path.of("Dockerfile"));
    String sha = git.commit(repo, Map.of("Dockerfile", "FROM busybox\n", "web/index.html", "<h1>hello</h1>\n"), "first");

    GitCli.Result pushed = git.run(repo, "push", owner.url(), "main");

    assertThat(pushed.exit()).as(pushed.stderr()).isZero();
    assertThat(pushed.stderr()).contains("remote: Step 1/2 : FROM busybox").contains("remote: Successfully built")
        .contains("remote: -----> Deployed as release v1").doesNotContain(owner.token);
    assertThat(BUILDS.submitted()).hasSize(1);
    RecordingSourceBuilds.Submitted build = BUILDS.submitted().get(0);
    assertThat(build.appId()).isEqualTo(owner.appId);
    assertThat(build.source().origin()).isEqualTo(BuildSource.Origin.GIT_PUSH);
    assertThat(build.source().ref()).isEqualTo("main");
    assertThat(build.source().commit()).isEqualTo(sha);
    assertThat(build.files()).containsEntry("Dockerfile", "FROM busybox\n").containsEntry("web/index.html", "<h1>hello</h1>\n")
        .containsEntry("bin/start", "#!/bin/sh\necho hi\n").containsEntry("link", "-> Dockerfile");
    assertThat(build.modes()).containsEntry("bin/start", 0755).containsEntry("Dockerfile", 0644);
    assertThat(remoteHead(repo, owner, "main")).isEqualTo(sha);
  }

  @Test
  void failed_build_rejects_the_push_with_the_reason_and_leaves_the_branch_where_it_was() {
    Owner owner = owner("Breaker");
    Path repo = git.init("app");
    String first = git.commit(repo, Map.of("Dockerfile", "FROM busybox\n"), "works");
    git.run(repo, "push", owner.url(), "main").orFail();
    BUILDS.failWith("RUN make: exit code 2");
    git.commit(repo, Map.of("Dockerfile", "FROM busybox\nRUN make\n"), "breaks");

    GitCli.Result pushed = git.run(repo, "push", owner.url(), "main");

    assertThat(pushed.exit()).isNotZero();
    assertThat(pushed.stderr()).contains("remote: ERROR: RUN make: exit code 2").contains("[remote rejected]")
        .contains("build failed: RUN make: exit code 2");
    assertThat(remoteHead(repo, owner, "main")).isEqualTo(first);
    assertThat(BUILDS.submitted()).hasSize(2);
  }

  @Test
  void a_second_push_while_one_is_building_is_rejected_with_a_clear_reason() throws Exception {
    Owner owner = owner("Racer");
    Path repo = git.init("app");
    git.commit(repo, Map.of("Dockerfile", "FROM busybox\n"), "one");
    Path other = git.init("other");
    git.commit(other, Map.of("Dockerfile", "FROM busybox:2\n"), "two");
    Runnable finish = BUILDS.hold();
    CompletableFuture<GitCli.Result> first = CompletableFuture.supplyAsync(() -> git.run(repo, "push", owner.url(), "main"));
    Eventually.await("the first push building", Duration.ofSeconds(60), () -> BUILDS.submitted().isEmpty() ? null : true);

    GitCli.Result second = git.run(other, "push", owner.url(), "main");
    finish.run();
    GitCli.Result firstDone = first.get(120, TimeUnit.SECONDS);

    assertThat(second.exit()).isNotZero();
    assertThat(second.stderr()).contains("another push to this app is building");
    assertThat(firstDone.exit()).as(firstDone.stderr()).isZero();
    assertThat(BUILDS.submitted()).hasSize(1);
  }

  @Test
  void push_to_another_branch_is_stored_without_building() {
    Owner owner = owner("Brancher");
    Path repo = git.init("app");
    String sha = git.commit(repo, Map.of("README", "wip\n"), "wip");

    git.run(repo, "push", owner.url(), "main:feature/x").orFail();

    assertThat(BUILDS.submitted()).isEmpty();
    assertThat(remoteHead(repo, owner, "feature/x")).isEqualTo(sha);
  }

  @Test
  void an_environment_with_its_own_deploy_branch_builds_pushes_of_that_branch_only() {
    Owner owner = owner("Releaser");
    String production = call(HttpMethod.GET, "/api/paas/apps/" + owner.appId, owner.session.token(), owner.orgId, null).bodyAsJsonObject()
        .getJsonArray("environments").getJsonObject(0).getString("id");
    HttpResponse<Buffer> invalid = call(HttpMethod.PATCH, "/api/paas/environments/" + production, owner.session.token(), owner.orgId,
        new JsonObject().put("deploy_branch", "a..b"));
    HttpResponse<Buffer> set = call(HttpMethod.PATCH, "/api/paas/environments/" + production, owner.session.token(), owner.orgId,
        new JsonObject().put("deploy_branch", "release"));
    Path repo = git.init("app");
    String sha = git.commit(repo, Map.of("Dockerfile", "FROM busybox\n"), "first");

    git.run(repo, "push", owner.url(), "main").orFail();
    assertThat(BUILDS.submitted()).isEmpty();
    git.run(repo, "push", owner.url(), "main:release").orFail();

    assertThat(errorCode(invalid, 400)).isEqualTo("validation_failed");
    assertThat(set.statusCode()).as(set.bodyAsString()).isEqualTo(200);
    assertThat(set.bodyAsJsonObject().getString("deploy_branch")).isEqualTo("release");
    assertThat(BUILDS.submitted()).hasSize(1);
    assertThat(BUILDS.submitted().get(0).environmentId()).hasToString(production);
    assertThat(BUILDS.submitted().get(0).source().ref()).isEqualTo("release");
    assertThat(BUILDS.submitted().get(0).source().commit()).isEqualTo(sha);
  }

  @Test
  void viewer_can_clone_but_a_push_is_forbidden() {
    Owner owner = owner("Lead");
    Path repo = git.init("app");
    git.commit(repo, Map.of("Dockerfile", "FROM busybox\n"), "first");
    git.run(repo, "push", owner.url(), "main").orFail();
    ApiClient.Session viewer = newUser("Viewer");
    addMember(owner.session, owner.orgId, viewer, "viewer");
    String viewerUrl = url(apiToken(viewer), owner.slug);

    git.run(home, "clone", "-q", viewerUrl, "copy").orFail();
    assertThat(home.resolve("copy/Dockerfile")).hasContent("FROM busybox");
    git.commit(home.resolve("copy"), Map.of("Dockerfile", "FROM busybox:2\n"), "viewer change");
    GitCli.Result pushed = git.run(home.resolve("copy"), "push", viewerUrl, "main");

    assertThat(pushed.exit()).isNotZero();
    assertThat(pushed.stderr()).contains("403");
    assertThat(BUILDS.submitted()).hasSize(1);
  }

  @Test
  void wrong_or_missing_token_gets_401_with_a_basic_challenge_and_a_foreign_app_404() {
    Owner owner = owner("Owner");
    ApiClient.Session stranger = newUser("Stranger");
    String strangerToken = apiToken(stranger);
    String path = "/git/" + owner.slug + ".git/info/refs?service=git-upload-pack";

    HttpResponse<Buffer> anonymous = await(api.request(HttpMethod.GET, path, null).send());
    HttpResponse<Buffer> wrong = await(api.request(HttpMethod.GET, path, null).basicAuthentication("git", "skp_not-a-token").send());
    HttpResponse<Buffer> foreign = await(api.request(HttpMethod.GET, path, null).basicAuthentication("git", strangerToken).send());
    HttpResponse<Buffer> unknown = await(api.request(HttpMethod.GET, "/git/no-such-app.git/info/refs?service=git-upload-pack", null)
        .basicAuthentication("git", strangerToken).send());

    assertThat(errorCode(anonymous, 401)).isEqualTo("unauthorized");
    assertThat(anonymous.getHeader("WWW-Authenticate")).isEqualTo("Basic realm=\"SkyPanel\"");
    assertThat(errorCode(wrong, 401)).isEqualTo("unauthorized");
    assertThat(errorCode(foreign, 404)).isEqualTo(errorCode(unknown, 404));
    GitCli.Result cloned = git.run(home, "clone", "-q", url(strangerToken, owner.slug), "stolen");
    assertThat(cloned.exit()).isNotZero();
    assertThat(home.resolve("stolen")).doesNotExist();
  }

  @Test
  void webhook_repository_on_a_private_address_is_refused() {
    Owner owner = owner("Hooker");
    for (String url : new String[] {"http://127.0.0.1/repo.git", "https://10.1.2.3/repo.git", "http://169.254.169.254/latest",
        "git://[::1]/repo.git", "http://user:pw@example.com/repo.git"}) {
      HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/paas/apps/" + owner.appId + "/webhooks", owner.session.token(),
          owner.orgId, new JsonObject().put("repository_url", url));
      assertThat(errorCode(created, 422)).as(url).isEqualTo("repository_url_not_allowed");
    }
    assertThat(server.count("paas_source_webhooks")).isZero();
  }

  // --- helpers -------------------------------------------------------------------------------

  private record Owner(ApiClient.Session session, String orgId, UUID appId, String slug, String token) {
    String url() {
      return GitPushTest.url(token, slug);
    }
  }

  private static Owner owner(String name) {
    ApiClient.Session session = newUser(name);
    String org = session.personalOrganizationId();
    String appName = "app" + UUID.randomUUID().toString().substring(0, 6);
    HttpResponse<Buffer> app = call(HttpMethod.POST, "/api/paas/apps", session.token(), org, new JsonObject().put("name", appName));
    assertThat(app.statusCode()).as(app.bodyAsString()).isEqualTo(201);
    JsonObject body = app.bodyAsJsonObject();
    return new Owner(session, org, UUID.fromString(body.getString("id")), body.getString("slug"), apiToken(session));
  }

  private static String apiToken(ApiClient.Session session) {
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/auth/tokens", session.token(), new JsonObject().put("name", "git"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("token");
  }

  private static String url(String token, String slug) {
    return "http://git:" + token + "@127.0.0.1:" + server.port() + "/git/" + slug + ".git";
  }

  private String remoteHead(Path repo, Owner owner, String branch) {
    String line = git.run(repo, "ls-remote", owner.url(), "refs/heads/" + branch).orFail().stdout().strip();
    return line.isEmpty() ? null : line.split("\\s+")[0];
  }
}
