package io.skypanel.controlplane.caas.policies;

import io.skypanel.controlplane.caas.registries.PlatformRegistry;
import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.common.config.Settings;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The image and network policy API, the platform defaults under it, and the checks other services call. */
class ImagePolicyApiTest extends ApiTestBase {

  private static final String IMAGES = "/api/caas/policies/images";
  private static final String NETWORK = "/api/caas/policies/network";
  private static final String DIGEST = "sha256:" + "0f".repeat(32);

  private static JsonObject acmeRules() {
    return new JsonObject()
        .put("allowed_registries", new JsonArray().add("docker.io").add("ghcr.io"))
        .put("allowed_patterns", new JsonArray())
        .put("blocked_patterns", new JsonArray().add("*:latest").add("docker.io/library/ubuntu"))
        .put("require_digest", false);
  }

  private static PolicyService service() {
    return new PolicyService(server.platform().pool(), ControlPlaneOptions.from(server.platform().settings()).caas(), PlatformRegistry.NONE);
  }

  private static PolicyService service(JsonObject settings) {
    return new PolicyService(server.platform().pool(), ControlPlaneOptions.from(new Settings(settings)).caas(), PlatformRegistry.NONE);
  }

  private static Throwable failure(Future<?> future) {
    return io.skypanel.controlplane.support.Await.failure(future);
  }

  /** Rows of {@code table} for one organization, read with plain JDBC. */
  private static long rows(String table, String organizationId) {
    var database = server.database();
    try (var connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
         var statement = connection.prepareStatement("SELECT count(*) FROM " + table + " WHERE organization_id = ?")) {
      statement.setObject(1, UUID.fromString(organizationId));
      try (var result = statement.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonArray activity(ApiClient.Session session, String organizationId, String action) {
    HttpResponse<Buffer> listed = call(HttpMethod.GET, "/api/activity?action=" + action, session.token(), organizationId, null);
    assertThat(listed.statusCode()).as(listed.bodyAsString()).isEqualTo(200);
    return listed.bodyAsJsonObject().getJsonArray("data");
  }

  // --- image policy --------------------------------------------------------------------------------

  @Test
  void the_organizations_own_builds_pass_its_policy_and_other_organizations_builds_do_not() {
    ApiClient.Session ada = newUser("Ada");
    UUID org = UUID.fromString(ada.personalOrganizationId());
    PlatformRegistry platform = new PlatformRegistry("registry.internal:5000", "skypanel", "platform-secret", 10);
    PolicyService policies = new PolicyService(server.platform().pool(), ControlPlaneOptions.from(server.platform().settings()).caas(), platform);
    assertThat(call(HttpMethod.PUT, IMAGES, ada.token(), acmeRules().put("require_digest", true)).statusCode()).isEqualTo(200);

    // only docker.io and ghcr.io, pinned by digest, no :latest: the platform's build of this organization still runs
    await(policies.check(org, platform.repository(org, "shop") + ":latest"));
    assertThat(failure(policies.check(org, platform.repository(UUID.randomUUID(), "shop") + "@sha256:" + "b".repeat(64))))
        .isInstanceOf(ImageNotAllowed.class);
  }

  @Test
  void a_new_organization_inherits_the_platform_defaults() {
    ApiClient.Session ada = newUser("Ada");

    HttpResponse<Buffer> got = call(HttpMethod.GET, IMAGES, ada.token(), null);

    assertThat(got.statusCode()).as(got.bodyAsString()).isEqualTo(200);
    JsonObject policy = got.bodyAsJsonObject();
    assertThat(policy.getJsonArray("allowed_registries")).isEmpty();
    assertThat(policy.getJsonArray("blocked_patterns")).isEmpty();
    assertThat(policy.getBoolean("require_digest")).isFalse();
    assertThat(policy.getJsonArray("from_defaults")).containsExactly("allowed_registries", "blocked_patterns", "require_digest");
    assertThat(policy.getValue("updated_at")).isNull();
  }

  @Test
  void put_then_get_round_trips_and_is_logged_once() {
    ApiClient.Session ada = newUser("Ada");
    String org = createOrganization(ada, "Acme " + UUID.randomUUID().toString().substring(0, 8)).getString("id");
    JsonObject rules = acmeRules();
    // spellings are normalised: index.docker.io is docker.io, so the duplicate collapses
    rules.getJsonArray("allowed_registries").add("index.docker.io");

    HttpResponse<Buffer> put = call(HttpMethod.PUT, IMAGES, ada.token(), org, rules);
    assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
    HttpResponse<Buffer> got = call(HttpMethod.GET, IMAGES, ada.token(), org, null);

    assertThat(got.statusCode()).isEqualTo(200);
    JsonObject policy = got.bodyAsJsonObject();
    assertThat(policy).isEqualTo(put.bodyAsJsonObject());
    assertThat(policy.getJsonObject("organization")).isEqualTo(acmeRules());
    assertThat(policy.getJsonArray("allowed_registries")).containsExactly("docker.io", "ghcr.io");
    assertThat(policy.getJsonArray("blocked_patterns")).containsExactly("*:latest", "docker.io/library/ubuntu");
    assertThat(policy.getJsonArray("from_defaults")).containsExactly("require_digest");
    assertThat(policy.getString("updated_at")).isNotBlank();
    JsonArray logged = activity(ada, org, "caas.policy.image.update");
    assertThat(logged).hasSize(1);
    assertThat(logged.getJsonObject(0).getString("user_id")).isEqualTo(ada.userId());
    assertThat(logged.getJsonObject(0).getJsonObject("metadata").getJsonArray("blocked_patterns")).containsExactly("*:latest", "docker.io/library/ubuntu");

    // an empty body resets the organization to the defaults
    HttpResponse<Buffer> reset = call(HttpMethod.PUT, IMAGES, ada.token(), org, new JsonObject());
    assertThat(reset.statusCode()).isEqualTo(200);
    assertThat(reset.bodyAsJsonObject().getJsonArray("from_defaults")).containsExactly("allowed_registries", "blocked_patterns", "require_digest");
    assertThat(activity(ada, org, "caas.policy.image.update")).hasSize(2);
  }

  @Test
  void viewers_and_developers_read_but_cannot_change_policies() {
    ApiClient.Session owner = newUser("Owner");
    ApiClient.Session viewer = newUser("Viewer");
    ApiClient.Session developer = newUser("Dev");
    String org = createOrganization(owner, "Roles " + UUID.randomUUID().toString().substring(0, 8)).getString("id");
    addMember(owner, org, viewer, "viewer");
    addMember(owner, org, developer, "developer");

    assertThat(call(HttpMethod.GET, IMAGES, viewer.token(), org, null).statusCode()).isEqualTo(200);
    assertThat(call(HttpMethod.GET, NETWORK, viewer.token(), org, null).statusCode()).isEqualTo(200);
    assertThat(errorCode(call(HttpMethod.PUT, IMAGES, viewer.token(), org, acmeRules()), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.PUT, IMAGES, developer.token(), org, acmeRules()), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.PUT, NETWORK, viewer.token(), org, new JsonObject().put("egress", "allow")), 403)).isEqualTo("forbidden");
    assertThat(rows("caas_image_policies", org)).as("nothing written by refused calls").isZero();
  }

  @Test
  void another_organization_is_not_found() {
    ApiClient.Session ada = newUser("Ada");
    ApiClient.Session eve = newUser("Eve");

    assertThat(errorCode(call(HttpMethod.GET, IMAGES, eve.token(), ada.personalOrganizationId(), null), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.PUT, IMAGES, eve.token(), ada.personalOrganizationId(), acmeRules()), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.GET, NETWORK, eve.token(), ada.personalOrganizationId(), null), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.PUT, NETWORK, eve.token(), ada.personalOrganizationId(), new JsonObject().put("egress", "allow")), 404))
        .isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.GET, IMAGES, eve.token(), UUID.randomUUID().toString(), null), 404)).isEqualTo("not_found");
  }

  @Test
  void invalid_bodies_are_rejected() {
    ApiClient.Session ada = newUser("Ada");
    String token = ada.token();

    assertThat(errorCode(call(HttpMethod.PUT, IMAGES, token, acmeRules().put("admin", true)), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.PUT, IMAGES, token, new JsonObject().put("allowed_registries", new JsonArray().add("https://ghcr.io"))), 400))
        .isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.PUT, IMAGES, token, new JsonObject().put("allowed_registries", new JsonArray().add("GHCR.IO"))), 400))
        .isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.PUT, IMAGES, token, new JsonObject().put("blocked_patterns", new JsonArray().add("nginx; rm -rf"))), 400))
        .isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.PUT, IMAGES, token, new JsonObject().put("blocked_patterns", new JsonArray().add("a".repeat(301)))), 400))
        .isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.PUT, IMAGES, token, new JsonObject().put("blocked_patterns", "*:latest")), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.PUT, IMAGES, token, new JsonObject().put("require_digest", "yes")), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.PUT, IMAGES, token, new JsonObject().put("allowed_registries", new JsonArray().add("localhost:99999"))), 400))
        .isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.PUT, NETWORK, token, new JsonObject().put("egress", "maybe")), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.PUT, NETWORK, token, new JsonObject()), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.PUT, NETWORK, token, new JsonObject().put("egress", "deny").put("ingress", "public")), 400))
        .isEqualTo("validation_failed");
    assertThat(rows("caas_image_policies", ada.personalOrganizationId()) + rows("caas_network_policies", ada.personalOrganizationId())).isZero();
  }

  @Test
  void check_rejects_an_image_naming_the_rule_that_failed() {
    ApiClient.Session ada = newUser("Ada");
    UUID org = UUID.fromString(ada.personalOrganizationId());
    assertThat(call(HttpMethod.PUT, IMAGES, ada.token(), acmeRules()).statusCode()).isEqualTo(200);
    PolicyService policies = service();

    await(policies.check(org, "nginx:1.25"));
    await(policies.check(org, "ghcr.io/acme/api@" + DIGEST));

    assertThat(failure(policies.check(org, "quay.io/acme/api:1"))).isInstanceOfSatisfying(ImageNotAllowed.class, e -> {
      assertThat(e.toApi().status()).isEqualTo(422);
      assertThat(e.code()).isEqualTo("image_policy_violation");
      assertThat(e.getMessage()).contains("registry quay.io is not in allowed_registries");
    });
    assertThat(failure(policies.check(org, "nginx"))).isInstanceOfSatisfying(ImageNotAllowed.class, e -> {
      assertThat(e.code()).isEqualTo("image_policy_violation");
      assertThat(e.getMessage()).contains("image docker.io/library/nginx:latest matches blocked pattern '*:latest'");
    });
    assertThat(failure(policies.check(org, "ubuntu:22.04"))).isInstanceOfSatisfying(ImageNotAllowed.class, e ->
        assertThat(e.getMessage()).contains("blocked pattern 'docker.io/library/ubuntu'"));
    assertThat(failure(policies.check(org, "not a reference"))).isInstanceOfSatisfying(InvalidImageReference.class, e -> {
      assertThat(e.toApi().status()).isEqualTo(400);
      assertThat(e.code()).isEqualTo("invalid_image_reference");
    });

    call(HttpMethod.PUT, IMAGES, ada.token(), new JsonObject().put("require_digest", true));
    assertThat(failure(policies.check(org, "ghcr.io/acme/api:1"))).isInstanceOfSatisfying(ImageNotAllowed.class, e ->
        assertThat(e.getMessage()).contains("a digest is required").contains("ghcr.io/acme/api@sha256:"));
    await(policies.check(org, "ghcr.io/acme/api@" + DIGEST));
  }

  @Test
  void platform_defaults_apply_until_the_organization_sets_its_own() {
    ApiClient.Session ada = newUser("Ada");
    UUID org = UUID.fromString(ada.personalOrganizationId());
    PolicyService policies = service(new JsonObject()
        .put("SKYPANEL_CAAS_ALLOWED_REGISTRIES", "docker.io, index.docker.io,localhost:5000")
        .put("SKYPANEL_CAAS_BLOCKED_PATTERNS", "*:latest")
        .put("SKYPANEL_CAAS_REQUIRE_DIGEST", "false"));

    JsonObject inherited = await(policies.imagePolicy(org));
    assertThat(inherited.getJsonArray("allowed_registries")).containsExactly("docker.io", "localhost:5000");
    assertThat(inherited.getJsonArray("blocked_patterns")).containsExactly("*:latest");
    assertThat(inherited.getJsonArray("from_defaults")).containsExactly("allowed_registries", "blocked_patterns", "require_digest");
    assertThat(inherited.getJsonObject("defaults").getJsonArray("allowed_registries")).containsExactly("docker.io", "localhost:5000");
    assertThat(failure(policies.check(org, "ghcr.io/acme/api:1"))).hasMessageContaining("registry ghcr.io is not in allowed_registries");
    assertThat(failure(policies.check(org, "nginx"))).hasMessageContaining("blocked pattern '*:latest'");
    await(policies.check(org, "localhost:5000/app:1"));

    // the organization can narrow the platform's registries but never widen them; the blocked default still applies
    assertThat(call(HttpMethod.PUT, IMAGES, ada.token(), new JsonObject().put("allowed_registries", new JsonArray().add("localhost:5000").add("ghcr.io"))).statusCode())
        .isEqualTo(200);
    JsonObject own = await(policies.imagePolicy(org));
    assertThat(own.getJsonArray("allowed_registries")).containsExactly("localhost:5000");
    assertThat(own.getJsonArray("from_defaults")).containsExactly("blocked_patterns", "require_digest");
    await(policies.check(org, "localhost:5000/app:1"));
    assertThat(failure(policies.check(org, "ghcr.io/acme/api:1"))).hasMessageContaining("registry ghcr.io is not in allowed_registries");
    assertThat(failure(policies.check(org, "localhost:5000/app:latest"))).hasMessageContaining("blocked pattern '*:latest'");
    assertThat(failure(policies.check(org, "nginx:1"))).hasMessageContaining("registry docker.io is not in allowed_registries");

    // a platform that requires digests cannot be relaxed by an organization
    PolicyService strict = service(new JsonObject().put("SKYPANEL_CAAS_REQUIRE_DIGEST", "true"));
    assertThat(failure(strict.check(org, "ghcr.io/acme/api:1"))).hasMessageContaining("a digest is required");
  }

  // --- network policy -------------------------------------------------------------------------------

  @Test
  void egress_is_denied_by_default_and_an_admin_can_allow_it() {
    ApiClient.Session ada = newUser("Ada");
    UUID org = UUID.fromString(ada.personalOrganizationId());
    PolicyService policies = service();

    JsonObject initial = await(ApiClient.expect(call(HttpMethod.GET, NETWORK, ada.token(), null), 200));
    assertThat(initial.getString("egress")).isEqualTo("deny");
    assertThat(initial.getString("ingress")).isEqualTo("edge_and_org");
    assertThat(initial.getBoolean("default")).isTrue();
    assertThat(await(policies.egressDenied(org))).isTrue();

    HttpResponse<Buffer> allowed = call(HttpMethod.PUT, NETWORK, ada.token(), new JsonObject().put("egress", "allow").put("ingress", "edge_and_org"));
    assertThat(allowed.statusCode()).as(allowed.bodyAsString()).isEqualTo(200);
    JsonObject got = call(HttpMethod.GET, NETWORK, ada.token(), null).bodyAsJsonObject();
    assertThat(got).isEqualTo(allowed.bodyAsJsonObject());
    assertThat(got.getString("egress")).isEqualTo("allow");
    assertThat(got.getString("ingress")).isEqualTo("edge_and_org");
    assertThat(got.getBoolean("default")).isFalse();
    assertThat(await(policies.egressDenied(org))).isFalse();

    assertThat(call(HttpMethod.PUT, NETWORK, ada.token(), new JsonObject().put("egress", "deny")).statusCode()).isEqualTo(200);
    assertThat(await(policies.egressDenied(org))).isTrue();
    assertThat(activity(ada, ada.personalOrganizationId(), "caas.policy.network.update")).hasSize(2);

    // another organization is unaffected, and a platform that allows egress by default says so
    ApiClient.Session bob = newUser("Bob");
    assertThat(await(policies.egressDenied(UUID.fromString(bob.personalOrganizationId())))).isTrue();
    assertThat(await(service(new JsonObject().put("SKYPANEL_CAAS_DEFAULT_EGRESS", "allow")).egressDenied(UUID.fromString(bob.personalOrganizationId()))))
        .isFalse();
  }
}
