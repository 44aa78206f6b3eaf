package io.skypanel.controlplane.paas;

import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.skypanel.controlplane.paas.AddonsApiTest.CONVERGE;
import static io.skypanel.controlplane.paas.AddonsApiTest.as;
import static io.skypanel.controlplane.paas.AddonsApiTest.awaitAddon;
import static io.skypanel.controlplane.paas.AddonsApiTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis and MariaDB add-ons provision and a one-off run connects with the delivered URL. Each app's release image
 * is the add-on image of that kind, so its runs have the client ({@code redis-cli}, {@code mariadb}).
 */
class AddonKindsApiTest extends ApiTestBase {

  private static ApiClient.Session owner;
  private static String org;

  @BeforeAll
  static void organization() {
    owner = newUser("Kinds Owner");
    org = createOrganization(owner, "Kinds " + UUID.randomUUID().toString().substring(0, 6)).getString("id");
    TestServers.execute(server.database(), "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'performance') WHERE id = '" + org + "'");
  }

  @AfterAll
  static void removeLeftovers() throws InterruptedException {
    if (org == null) {
      return;
    }
    TestServers.execute(server.database(), "UPDATE paas_addons SET status = 'deprovisioning' WHERE organization_id = '" + org + "'");
    // the add-ons go first: their removal releases the environments it detaches, which would revive their processes
    Eventually.await("the add-ons' volumes gone", CONVERGE, () ->
        TestImages.docker("volume", "ls", "-q", "--filter", "label=skypanel.org=" + org).isBlank() ? true : null);
    TestServers.execute(server.database(), "UPDATE paas_containers SET status = 'deleting' WHERE organization_id = '" + org + "'");
    Eventually.await("the organization's services gone", CONVERGE, () ->
        TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.org=" + org).isBlank() ? true : null);
    TestImages.removeOrganizationNetworks(UUID.fromString(org));
  }

  /** An app running {@code image}, with an add-on of {@code plan} available; the add-on and the environment id. */
  private static String[] appWithAddon(String appName, String image, String plan) {
    JsonObject app = ok(as(owner, org, HttpMethod.POST, "/api/paas/apps", new JsonObject().put("name", appName)), 201);
    String envId = app.getJsonArray("environments").getJsonObject(0).getString("id");
    ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/deploy", new JsonObject().put("image_ref", image)
        .put("process_types", new JsonObject().put("worker", "sleep 3600"))), 201);
    String id = ok(as(owner, org, HttpMethod.POST, "/api/paas/environments/" + envId + "/addons", new JsonObject().put("plan", plan)), 202)
        .getString("id");
    JsonObject addon = awaitAddon(owner, org, id, "available");
    return new String[] {addon.getString("config_var"), envId};
  }

  private static String connects(String envId, String command) {
    return Eventually.await("a run of " + command + " succeeds", CONVERGE, () -> {
      JsonObject run = AddonsApiTest.run(owner, org, envId, command);
      return "succeeded".equals(run.getString("status")) ? run.getString("output") : null;
    });
  }

  @Test
  void redis_provisions_and_a_run_pings_it_with_the_url() {
    String[] made = appWithAddon("cache", "skypanel/addon-redis:7", "redis-mini");
    assertThat(made[0]).isEqualTo("REDIS_URL");
    assertThat(connects(made[1], "redis-cli --no-auth-warning -u \"$REDIS_URL\" ping")).isEqualTo("PONG");
  }

  @Test
  void mariadb_provisions_and_a_run_queries_it_with_the_url() {
    String[] made = appWithAddon("store", "skypanel/addon-mariadb:10.11", "mysql-mini");
    String var = made[0];
    // the client takes no URL: split mysql://user:password@host:port/database in the shell
    String command = "u=${" + var + "#*://}; cred=${u%%@*}; rest=${u#*@}; hp=${rest%%/*}; db=${rest#*/}; "
        + "mariadb -h \"${hp%%:*}\" -P \"${hp##*:}\" -u \"${cred%%:*}\" -p\"${cred#*:}\" \"$db\" -N -e 'select 40+2'";
    assertThat(connects(made[1], command)).isEqualTo("42");
  }
}
