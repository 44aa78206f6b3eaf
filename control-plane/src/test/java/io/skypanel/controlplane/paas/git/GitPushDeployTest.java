package io.skypanel.controlplane.paas.git;

import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.TestGateway;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.PaasTenant;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.GitCli;
import io.skypanel.controlplane.support.OverlayHttp;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code git push} end to end with the control plane's real wiring: the build service builds the pushed Dockerfile
 * app (FROM the local busybox test image) through the engine, pushes it to the platform registry and deploys it; the
 * build log reaches git as {@code remote:} lines and the web process answers. A broken build is rejected and the
 * previous release keeps serving. Needs the build service (merged from the builds work) and the test registry.
 */
class GitPushDeployTest extends ApiTestBase {

  private static final Duration CONVERGE = Duration.ofSeconds(180);

  private static io.skypanel.common.gateway.EdgeGateway gateway;
  private static int relayPort;
  private static ApiClient.Session owner;
  private static String org;
  private static PaasTenant tenant;

  @TempDir
  Path home;

  @BeforeAll
  static void organizationWithRoom() {
    TestImages.busybox();
    tenant = PaasTenant.create("Git");
    owner = tenant.owner;
    org = tenant.org;
    gateway = TestGateway.create(server.platform().vertx(), server.platform().docker(), "git-" + UUID.randomUUID().toString().substring(0, 8), Map.of());
    relayPort = Await.result(gateway.start()).getPort();
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
  }

  @Test
  void push_of_a_dockerfile_app_builds_deploys_and_serves_it_and_a_broken_push_keeps_the_release() {
    JsonObject app = ok(call(HttpMethod.POST, "/api/paas/apps", owner.token(), org, new JsonObject().put("name", "pushed")), 201);
    String environmentId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    String token = ok(call(HttpMethod.POST, "/api/auth/tokens", owner.token(), new JsonObject().put("name", "git")), 201).getString("token");
    String url = "http://git:" + token + "@127.0.0.1:" + server.port() + "/git/" + app.getString("slug") + ".git";
    GitCli git = new GitCli(home);
    Path repo = git.init("app");
    git.commit(repo, Map.of("Dockerfile", "FROM " + TestImages.busybox() + "\nCOPY index.html /var/www/index.html\nEXPOSE 8080\n"
        + "CMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/var/www\"]\n", "index.html", "pushed v1\n"), "v1");

    GitCli.Result pushed = git.run(repo, "push", url, "main");

    assertThat(pushed.exit()).as(pushed.stderr()).isZero();
    assertThat(pushed.stderr()).contains("remote: ").contains("-----> Deployed as release v1");
    assertThat(serving(environmentId, "pushed v1")).isEqualTo("pushed v1");

    git.commit(repo, Map.of("Dockerfile", "FROM " + TestImages.busybox() + "\nRUN exit 3\n"), "broken");
    GitCli.Result broken = git.run(repo, "push", url, "main");

    assertThat(broken.exit()).isNotZero();
    assertThat(broken.stderr()).contains("[remote rejected]").contains("build failed");
    assertThat(serving(environmentId, "pushed v1")).as("the previous release still serves").isEqualTo("pushed v1");
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response.bodyAsJsonObject();
  }

  /** What the environment's web endpoints answer at {@code /}, once it is {@code expected}. */
  private static String serving(String environmentId, String expected) {
    return Eventually.await("environment " + environmentId + " serving '" + expected + "'", CONVERGE, () -> {
      JsonObject env = ok(call(HttpMethod.GET, "/api/paas/environments/" + environmentId, owner.token(), org, null), 200);
      JsonObject web = env.getJsonArray("processes").stream().map(JsonObject.class::cast).filter(p -> "web".equals(p.getString("type")))
          .findFirst().orElse(null);
      if (!"running".equals(env.getString("status")) || web == null || web.getJsonArray("endpoints").isEmpty()) {
        return null;
      }
      Await.result(gateway.syncNetworks());
      JsonObject endpoint = web.getJsonArray("endpoints").getJsonObject(0);
      try {
        String answer = OverlayHttp.get(relayPort, endpoint.getString("address"), endpoint.getInteger("port"), "/").trim();
        return expected.equals(answer) ? answer : null;
      } catch (IOException notYet) {
        return null;
      }
    });
  }
}
