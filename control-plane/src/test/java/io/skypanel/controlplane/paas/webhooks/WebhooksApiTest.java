package io.skypanel.controlplane.paas.webhooks;

import io.skypanel.controlplane.paas.builds.BuildSource;
import io.skypanel.controlplane.paas.builds.SourceBuilds;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.GitCli;
import io.skypanel.controlplane.support.RecordingSourceBuilds;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Incoming repository webhooks end to end on loopback: the API (secret shown once, tenancy), the receiver's
 * signature checks for GitHub, GitLab and Gitea, branch filtering, delivery replays, and the fetch of the announced
 * commit from a repository served by a {@code git daemon} this class starts (loopback is allowed only through the
 * test setting {@code SKYPANEL_WEBHOOK_ALLOW_PRIVATE_HOSTS}). Builds are recorded ({@link RecordingSourceBuilds}).
 */
class WebhooksApiTest extends ApiTestBase {

  private static final RecordingSourceBuilds BUILDS = new RecordingSourceBuilds();
  private static Path root;
  private static Process daemon;
  private static int daemonPort;
  private static GitCli git;
  private static Path work;
  private static String first;
  private static String second;

  static SourceBuilds sourceBuilds() {
    return BUILDS;
  }

  static JsonObject controlPlaneSettings() {
    return new JsonObject().put("SKYPANEL_WEBHOOK_ALLOW_PRIVATE_HOSTS", "true");
  }

  @BeforeAll
  static void upstream() throws Exception {
    root = Files.createTempDirectory("skypanel-webhooks");
    git = new GitCli(root);
    git.run(root, "init", "-q", "--bare", "-b", "main", "upstream.git").orFail();
    work = git.init("work");
    first = git.commit(work, Map.of("Dockerfile", "FROM busybox\n", "version.txt", "one\n"), "one");
    second = git.commit(work, Map.of("version.txt", "two\n"), "two");
    git.run(work, "push", "-q", root.resolve("upstream.git").toString(), "main").orFail();
    try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      daemonPort = free.getLocalPort();
    }
    daemon = new ProcessBuilder("/usr/bin/git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=" + daemonPort, "--export-all",
        "--base-path=" + root, root.toString()).redirectErrorStream(true).redirectOutput(root.resolve("daemon.log").toFile()).start();
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!accepts(daemonPort)) {
      assertThat(System.nanoTime()).as("git daemon listening on " + daemonPort).isLessThan(deadline);
      assertThat(daemon.isAlive()).as("git daemon running").isTrue();
      Thread.sleep(50);
    }
  }

  @AfterAll
  static void stopDaemon() {
    if (daemon != null) {
      daemon.destroy();
    }
  }

  @BeforeEach
  void fresh() {
    BUILDS.clear();
  }

  @Test
  void secret_is_shown_once_and_stored_sealed() {
    Tenant tenant = tenant("Secretive");
    JsonObject hook = createHook(tenant, "github", "main");
    String secret = hook.getString("secret");

    HttpResponse<Buffer> listed = call(HttpMethod.GET, hooksPath(tenant), tenant.session.token(), tenant.orgId, null);

    assertThat(secret).matches("[0-9a-f]{64}");
    assertThat(hook.getString("receiver_path")).isEqualTo("/api/paas/hooks/" + hook.getString("id"));
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.bodyAsJsonObject().getJsonArray("data")).hasSize(1);
    assertThat(listed.bodyAsString()).contains(hook.getString("id")).doesNotContain(secret).doesNotContain("\"secret\"");
    String stored = server.text("SELECT secret_sealed FROM paas_source_webhooks WHERE id = '" + hook.getString("id") + "'");
    assertThat(stored).isNotBlank().doesNotContain(secret);
  }

  @Test
  void github_push_with_a_valid_signature_fetches_and_builds_the_announced_commit() {
    Tenant tenant = tenant("Builder");
    JsonObject hook = createHook(tenant, "github", "main");
    String body = payload("refs/heads/main", first).encode();

    HttpResponse<Buffer> delivered = deliver(hook, body, Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", UUID.randomUUID().toString(),
        "X-Hub-Signature-256", "sha256=" + WebhookSignatures.hmacHex(hook.getString("secret"), Buffer.buffer(body))));

    assertThat(delivered.statusCode()).as(delivered.bodyAsString()).isEqualTo(202);
    assertThat(delivered.bodyAsJsonObject().getString("status")).isEqualTo("queued");
    assertThat(BUILDS.submitted()).hasSize(1);
    RecordingSourceBuilds.Submitted build = BUILDS.submitted().get(0);
    assertThat(delivered.bodyAsJsonObject().getJsonObject("build").getString("id")).isNotBlank();
    assertThat(build.appId()).isEqualTo(tenant.appId);
    assertThat(build.source().origin()).isEqualTo(BuildSource.Origin.WEBHOOK);
    assertThat(build.source().commit()).isEqualTo(first);
    // the announced commit, not the branch's tip
    assertThat(build.files()).containsEntry("version.txt", "one\n").containsEntry("Dockerfile", "FROM busybox\n");
  }

  @Test
  void each_provider_accepts_only_its_own_valid_signature() {
    Tenant tenant = tenant("Signer");
    JsonObject github = createHook(tenant, "github", "main");
    JsonObject gitlab = createHook(tenant, "gitlab", "main");
    JsonObject gitea = createHook(tenant, "gitea", "main");
    String body = payload("refs/heads/main", second).encode();
    String githubMac = WebhookSignatures.hmacHex(github.getString("secret"), Buffer.buffer(body));
    String giteaMac = WebhookSignatures.hmacHex(gitea.getString("secret"), Buffer.buffer(body));

    // wrong secret, missing header, tampered body, another provider's header: all 401, nothing built
    assertThat(errorCode(deliver(github, body, Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256",
        "sha256=" + WebhookSignatures.hmacHex("not-the-secret", Buffer.buffer(body)))), 401)).isEqualTo("unauthorized");
    assertThat(errorCode(deliver(github, body, Map.of("X-GitHub-Event", "push")), 401)).isEqualTo("unauthorized");
    assertThat(errorCode(deliver(github, body + " ", Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + githubMac)), 401))
        .isEqualTo("unauthorized");
    assertThat(errorCode(deliver(gitlab, body, Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", github.getString("secret"))), 401))
        .isEqualTo("unauthorized");
    assertThat(errorCode(deliver(gitea, body, Map.of("X-Gitea-Event", "push", "X-Hub-Signature-256", "sha256=" + giteaMac)), 401))
        .isEqualTo("unauthorized");
    assertThat(BUILDS.submitted()).isEmpty();

    assertThat(deliver(github, body, Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + githubMac)).statusCode()).isEqualTo(202);
    assertThat(deliver(gitlab, body, Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", gitlab.getString("secret"))).statusCode())
        .isEqualTo(202);
    assertThat(deliver(gitea, body, Map.of("X-Gitea-Event", "push", "X-Gitea-Signature", giteaMac)).statusCode()).isEqualTo(202);
    assertThat(BUILDS.submitted()).hasSize(3).allSatisfy(build -> assertThat(build.source().commit()).isEqualTo(second));
  }

  @Test
  void pushes_to_other_branches_and_other_events_are_answered_and_ignored() {
    Tenant tenant = tenant("Picky");
    JsonObject hook = createHook(tenant, "gitea", "main");
    String otherBranch = payload("refs/heads/feature", second).encode();
    String ping = new JsonObject().put("zen", "hi").encode();

    HttpResponse<Buffer> feature = deliver(hook, otherBranch, Map.of("X-Gitea-Event", "push",
        "X-Gitea-Signature", WebhookSignatures.hmacHex(hook.getString("secret"), Buffer.buffer(otherBranch))));
    HttpResponse<Buffer> pinged = deliver(hook, ping, Map.of("X-Gitea-Event", "create",
        "X-Gitea-Signature", WebhookSignatures.hmacHex(hook.getString("secret"), Buffer.buffer(ping))));

    assertThat(feature.statusCode()).isEqualTo(202);
    assertThat(feature.bodyAsJsonObject().getString("status")).isEqualTo("ignored");
    assertThat(pinged.statusCode()).isEqualTo(200);
    assertThat(pinged.bodyAsJsonObject().getString("status")).isEqualTo("ignored");
    assertThat(BUILDS.submitted()).isEmpty();
  }

  @Test
  void a_replayed_delivery_answers_the_first_outcome_and_builds_once() {
    Tenant tenant = tenant("Replayer");
    JsonObject hook = createHook(tenant, "github", "main");
    String body = payload("refs/heads/main", second).encode();
    Map<String, String> headers = Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", UUID.randomUUID().toString(),
        "X-Hub-Signature-256", "sha256=" + WebhookSignatures.hmacHex(hook.getString("secret"), Buffer.buffer(body)));

    HttpResponse<Buffer> original = deliver(hook, body, headers);
    HttpResponse<Buffer> replay = deliver(hook, body, headers);

    assertThat(original.statusCode()).as(original.bodyAsString()).isEqualTo(202);
    assertThat(replay.statusCode()).isEqualTo(202);
    assertThat(replay.bodyAsJsonObject().getBoolean("replayed")).isTrue();
    assertThat(replay.bodyAsJsonObject().getJsonObject("build").getString("id"))
        .isEqualTo(original.bodyAsJsonObject().getJsonObject("build").getString("id"));
    assertThat(BUILDS.submitted()).hasSize(1);
  }

  @Test
  void webhooks_of_another_organization_are_not_found_and_viewers_cannot_change_them() {
    Tenant tenant = tenant("Keeper");
    JsonObject hook = createHook(tenant, "github", "main");
    ApiClient.Session stranger = newUser("Stranger");
    ApiClient.Session viewer = newUser("Viewer");
    addMember(tenant.session, tenant.orgId, viewer, "viewer");
    JsonObject request = new JsonObject().put("repository_url", upstreamUrl());

    assertThat(errorCode(call(HttpMethod.GET, hooksPath(tenant), stranger.token(), null), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.POST, hooksPath(tenant), stranger.token(), request), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.DELETE, hooksPath(tenant) + "/" + hook.getString("id"), stranger.token(), null), 404))
        .isEqualTo("not_found");
    assertThat(call(HttpMethod.GET, hooksPath(tenant), viewer.token(), tenant.orgId, null).statusCode()).isEqualTo(200);
    assertThat(errorCode(call(HttpMethod.POST, hooksPath(tenant), viewer.token(), tenant.orgId, request), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.DELETE, hooksPath(tenant) + "/" + hook.getString("id"), viewer.token(), tenant.orgId, null), 403))
        .isEqualTo("forbidden");
    assertThat(call(HttpMethod.DELETE, hooksPath(tenant) + "/" + hook.getString("id"), tenant.session.token(), tenant.orgId, null).statusCode())
        .isEqualTo(204);
    assertThat(errorCode(deliver(hook, "{}", Map.of("X-GitHub-Event", "push")), 404)).isEqualTo("not_found");
  }

  // --- helpers -------------------------------------------------------------------------------

  private record Tenant(ApiClient.Session session, String orgId, UUID appId) {
  }

  private static Tenant tenant(String name) {
    ApiClient.Session session = newUser(name);
    String org = session.personalOrganizationId();
    HttpResponse<Buffer> app = call(HttpMethod.POST, "/api/paas/apps", session.token(), org,
        new JsonObject().put("name", "hook" + UUID.randomUUID().toString().substring(0, 6)));
    assertThat(app.statusCode()).as(app.bodyAsString()).isEqualTo(201);
    return new Tenant(session, org, UUID.fromString(app.bodyAsJsonObject().getString("id")));
  }

  private static String hooksPath(Tenant tenant) {
    return "/api/paas/apps/" + tenant.appId + "/webhooks";
  }

  private static String upstreamUrl() {
    return "git://127.0.0.1:" + daemonPort + "/upstream.git";
  }

  private static JsonObject createHook(Tenant tenant, String provider, String branch) {
    HttpResponse<Buffer> created = call(HttpMethod.POST, hooksPath(tenant), tenant.session.token(), tenant.orgId,
        new JsonObject().put("repository_url", upstreamUrl()).put("provider", provider).put("branch", branch));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  /** A push event as the providers send it (GitLab's checkout_sha too). */
  private static JsonObject payload(String ref, String commit) {
    return new JsonObject().put("ref", ref).put("before", "0".repeat(40)).put("after", commit).put("checkout_sha", commit)
        .put("repository", new JsonObject().put("clone_url", upstreamUrl()));
  }

  private static HttpResponse<Buffer> deliver(JsonObject hook, String body, Map<String, String> headers) {
    HttpRequest<Buffer> request = api.request(HttpMethod.POST, "/api/paas/hooks/" + hook.getString("id"), null)
        .putHeader("Content-Type", "application/json");
    headers.forEach(request::putHeader);
    return await(request.sendBuffer(Buffer.buffer(body)));
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }
}
