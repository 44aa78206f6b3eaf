package io.skypanel.controlplane.caas.registries;

import io.skypanel.controlplane.caas.policies.InvalidImageReference;
import io.skypanel.controlplane.runtime.orchestration.DesiredService;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Registry credentials: write-only passwords, sealed at rest, tenant isolation, and the login lookup pulls use. */
class RegistryCredentialsApiTest extends ApiTestBase {

  private static final String REGISTRIES = "/api/caas/registries";

  private static String secret() {
    return "s3cret-" + UUID.randomUUID();
  }

  private static JsonObject credential(String name, String registry, String password) {
    return new JsonObject().put("name", name).put("registry", registry).put("username", "robot$acme").put("password", password);
  }

  private static JsonObject create(ApiClient.Session session, String organizationId, JsonObject body) {
    HttpResponse<Buffer> created = call(HttpMethod.POST, REGISTRIES, session.token(), organizationId, body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> list(ApiClient.Session session, String organizationId) {
    return call(HttpMethod.GET, REGISTRIES + "?limit=100", session.token(), organizationId, null);
  }

  private static RegistryCredentialService service() {
    return new RegistryCredentialService(server.platform().pool(), server.platform().secrets(), PlatformRegistry.NONE);
  }

  private static Connection jdbc() throws SQLException {
    var database = server.database();
    return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
  }

  private static String sealedPassword(String id) throws SQLException {
    try (Connection connection = jdbc();
         var statement = connection.prepareStatement("SELECT password_sealed FROM caas_registry_credentials WHERE id = ?")) {
      statement.setObject(1, UUID.fromString(id));
      try (var rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  private static JsonArray activity(ApiClient.Session session, String organizationId) {
    HttpResponse<Buffer> listed = call(HttpMethod.GET, "/api/activity?action=caas.registry_credential", session.token(), organizationId, null);
    assertThat(listed.statusCode()).isEqualTo(200);
    return listed.bodyAsJsonObject().getJsonArray("data");
  }

  @Test
  void the_password_is_never_returned_and_is_stored_sealed() throws Exception {
    ApiClient.Session ada = newUser("Ada");
    String org = ada.personalOrganizationId();
    String password = secret();

    HttpResponse<Buffer> created = call(HttpMethod.POST, REGISTRIES, ada.token(), org, credential("ghcr-acme", "ghcr.io", password));

    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject body = created.bodyAsJsonObject();
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("id", "name", "registry", "username", "last_used_at", "created_at");
    assertThat(body.getString("name")).isEqualTo("ghcr-acme");
    assertThat(body.getString("registry")).isEqualTo("ghcr.io");
    assertThat(body.getString("username")).isEqualTo("robot$acme");
    assertThat(body.getValue("last_used_at")).isNull();
    assertThat(created.bodyAsString()).doesNotContain(password).doesNotContain("password");

    HttpResponse<Buffer> listed = list(ada, org);
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.bodyAsString()).doesNotContain(password).doesNotContain("password").doesNotContain("v1:");
    JsonArray data = listed.bodyAsJsonObject().getJsonArray("data");
    assertThat(data).hasSize(1);
    assertThat(data.getJsonObject(0)).isEqualTo(body);

    String sealed = sealedPassword(body.getString("id"));
    assertThat(sealed).startsWith("v1:").doesNotContain(password);
    assertThat(server.platform().secrets().decryptToString(sealed)).isEqualTo(password);

    JsonArray logged = activity(ada, org);
    assertThat(logged).hasSize(1);
    assertThat(logged.getJsonObject(0).getString("action")).isEqualTo("caas.registry_credential.create");
    assertThat(logged.encode()).doesNotContain(password);
  }

  @Test
  void login_for_finds_the_credential_of_the_image_registry_and_unseals_it() throws Exception {
    ApiClient.Session ada = newUser("Ada");
    String org = ada.personalOrganizationId();
    String ghcrPassword = secret();
    String hubPassword = secret();
    JsonObject ghcr = create(ada, org, credential("ghcr", "ghcr.io", ghcrPassword));
    create(ada, org, credential("hub", "index.docker.io", hubPassword));
    create(ada, org, credential("local", "localhost:5000", secret()));
    RegistryCredentialService credentials = service();

    DesiredService.RegistryLogin login = await(credentials.loginFor(UUID.fromString(org), "ghcr.io/acme/api:1"));
    assertThat(login.serverAddress()).isEqualTo("ghcr.io");
    assertThat(login.username()).isEqualTo("robot$acme");
    assertThat(login.password()).isEqualTo(ghcrPassword);
    assertThat(login.toString()).doesNotContain(ghcrPassword);

    DesiredService.RegistryLogin hub = await(credentials.loginFor(UUID.fromString(org), "acme/private"));
    assertThat(hub.serverAddress()).isEqualTo("https://index.docker.io/v1/");
    assertThat(hub.password()).isEqualTo(hubPassword);

    assertThat(await(credentials.loginFor(UUID.fromString(org), "localhost:5001/app:1"))).as("other port").isNull();
    assertThat(await(credentials.loginFor(UUID.fromString(org), "quay.io/acme/api:1"))).isNull();
    assertThat(await(credentials.loginFor(UUID.fromString(newUser("Eve").personalOrganizationId()), "ghcr.io/acme/api:1")))
        .as("another organization's credential").isNull();
    assertThat(await(credentials.matchFor(UUID.fromString(org), "ghcr.io/acme/api:1")).credentialId().toString()).isEqualTo(ghcr.getString("id"));

    var listed = list(ada, org).bodyAsJsonObject().getJsonArray("data");
    for (int i = 0; i < listed.size(); i++) {
      JsonObject item = listed.getJsonObject(i);
      if (item.getString("name").equals("ghcr")) {
        assertThat(item.getString("last_used_at")).as("use is recorded").isNotBlank();
      }
      if (item.getString("name").equals("hub")) {
        assertThat(item.getString("registry")).isEqualTo("docker.io");
      }
    }

    try {
      credentials.loginFor(UUID.fromString(org), "Not A Ref").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOfSatisfying(InvalidImageReference.class, error -> assertThat(error.code()).isEqualTo("invalid_image_reference"));
    }
  }

  @Test
  void the_platform_registry_login_is_given_for_the_organizations_own_builds_only() {
    ApiClient.Session ada = newUser("Ada");
    UUID org = UUID.fromString(ada.personalOrganizationId());
    PlatformRegistry platform = new PlatformRegistry("registry.internal:5000", "skypanel", "platform-secret", 10);
    RegistryCredentialService service = new RegistryCredentialService(server.platform().pool(), server.platform().secrets(), platform);

    var own = io.skypanel.controlplane.support.Await.result(service.loginFor(org, platform.repository(org, "shop") + "@sha256:" + "a".repeat(64)));
    assertThat(own).isNotNull();
    assertThat(own.serverAddress()).isEqualTo("registry.internal:5000");
    assertThat(own.username()).isEqualTo("skypanel");
    assertThat(own.password()).isEqualTo("platform-secret");
    assertThat(own.toString()).doesNotContain("platform-secret");
    // another organization's repository in the same registry: no login (the engine's pull is refused)
    assertThat(io.skypanel.controlplane.support.Await.result(service.loginFor(org, platform.repository(UUID.randomUUID(), "shop") + ":1"))).isNull();
    assertThat(platform.toString()).doesNotContain("platform-secret");
  }

  @Test
  void a_duplicate_name_is_a_conflict_within_one_organization_only() {
    ApiClient.Session ada = newUser("Ada");
    ApiClient.Session bob = newUser("Bob");
    create(ada, ada.personalOrganizationId(), credential("ghcr", "ghcr.io", secret()));

    HttpResponse<Buffer> duplicate = call(HttpMethod.POST, REGISTRIES, ada.token(), ada.personalOrganizationId(),
        credential("ghcr", "registry.example.com:5000", secret()));

    assertThat(errorCode(duplicate, 409)).isEqualTo("name_taken");
    create(bob, bob.personalOrganizationId(), credential("ghcr", "ghcr.io", secret()));
    assertThat(list(ada, ada.personalOrganizationId()).bodyAsJsonObject().getJsonArray("data")).hasSize(1);
  }

  @Test
  void delete_removes_the_credential_and_logs_it() {
    ApiClient.Session ada = newUser("Ada");
    String org = ada.personalOrganizationId();
    JsonObject created = create(ada, org, credential("ghcr", "ghcr.io", secret()));

    HttpResponse<Buffer> deleted = call(HttpMethod.DELETE, REGISTRIES + "/" + created.getString("id"), ada.token(), org, null);

    assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(204);
    assertThat(list(ada, org).bodyAsJsonObject().getJsonArray("data")).isEmpty();
    assertThat(errorCode(call(HttpMethod.DELETE, REGISTRIES + "/" + created.getString("id"), ada.token(), org, null), 404)).isEqualTo("not_found");
    assertThat(activity(ada, org).stream().map(entry -> ((JsonObject) entry).getString("action")))
        .containsExactly("caas.registry_credential.delete", "caas.registry_credential.create");
  }

  @Test
  void another_organizations_credential_is_not_found() throws Exception {
    ApiClient.Session ada = newUser("Ada");
    ApiClient.Session eve = newUser("Eve");
    JsonObject created = create(ada, ada.personalOrganizationId(), credential("ghcr", "ghcr.io", secret()));
    String path = REGISTRIES + "/" + created.getString("id");

    assertThat(errorCode(call(HttpMethod.DELETE, path, eve.token(), eve.personalOrganizationId(), null), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.DELETE, path, eve.token(), ada.personalOrganizationId(), null), 404)).isEqualTo("not_found");
    assertThat(errorCode(list(eve, ada.personalOrganizationId()), 404)).isEqualTo("not_found");
    assertThat(list(eve, eve.personalOrganizationId()).bodyAsJsonObject().getJsonArray("data")).isEmpty();
    assertThat(sealedPassword(created.getString("id"))).as("still there").isNotNull();
  }

  @Test
  void viewers_list_but_only_admins_create_and_delete() {
    ApiClient.Session owner = newUser("Owner");
    ApiClient.Session viewer = newUser("Viewer");
    String org = createOrganization(owner, "Registry Roles " + UUID.randomUUID().toString().substring(0, 8)).getString("id");
    addMember(owner, org, viewer, "viewer");
    JsonObject created = create(owner, org, credential("ghcr", "ghcr.io", secret()));

    HttpResponse<Buffer> listed = list(viewer, org);
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.bodyAsJsonObject().getJsonArray("data")).hasSize(1);
    assertThat(errorCode(call(HttpMethod.POST, REGISTRIES, viewer.token(), org, credential("other", "ghcr.io", secret())), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.DELETE, REGISTRIES + "/" + created.getString("id"), viewer.token(), org, null), 403)).isEqualTo("forbidden");
  }

  @Test
  void a_credential_a_container_uses_cannot_be_deleted() throws Exception {
    ApiClient.Session ada = newUser("Ada");
    String org = ada.personalOrganizationId();
    JsonObject created = create(ada, org, credential("ghcr", "ghcr.io", secret()));
    UUID containerId = UUID.randomUUID();
    try (Connection connection = jdbc();
         var statement = connection.prepareStatement("INSERT INTO paas_containers (id, organization_id, name, image_ref, cpu, memory_mb, "
             + "registry_credential_id) VALUES (?, ?, 'api', 'ghcr.io/acme/api:1', 0.5, 256, ?)")) {
      statement.setObject(1, containerId);
      statement.setObject(2, UUID.fromString(org));
      statement.setObject(3, UUID.fromString(created.getString("id")));
      statement.executeUpdate();
    }
    String path = REGISTRIES + "/" + created.getString("id");

    assertThat(errorCode(call(HttpMethod.DELETE, path, ada.token(), org, null), 409)).isEqualTo("registry_credential_in_use");
    assertThat(sealedPassword(created.getString("id"))).isNotNull();
    assertThat(activity(ada, org)).as("no delete logged").hasSize(1);

    try (Connection connection = jdbc(); var statement = connection.prepareStatement("DELETE FROM paas_containers WHERE id = ?")) {
      statement.setObject(1, containerId);
      statement.executeUpdate();
    }
    assertThat(call(HttpMethod.DELETE, path, ada.token(), org, null).statusCode()).isEqualTo(204);
  }

  @Test
  void invalid_bodies_are_rejected() {
    ApiClient.Session ada = newUser("Ada");
    String org = ada.personalOrganizationId();

    assertThat(errorCode(call(HttpMethod.POST, REGISTRIES, ada.token(), org, credential("Bad_Name", "ghcr.io", secret())), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.POST, REGISTRIES, ada.token(), org, credential("ok", "https://ghcr.io", secret())), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.POST, REGISTRIES, ada.token(), org, credential("ok", "ghcr.io/acme", secret())), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.POST, REGISTRIES, ada.token(), org, credential("ok", "ghcr.io", "")), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.POST, REGISTRIES, ada.token(), org, credential("ok", "ghcr.io", secret()).put("password_sealed", "v1:x")), 400))
        .isEqualTo("validation_failed");
    JsonObject noPassword = credential("ok", "ghcr.io", secret());
    noPassword.remove("password");
    assertThat(errorCode(call(HttpMethod.POST, REGISTRIES, ada.token(), org, noPassword), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.POST, REGISTRIES, ada.token(), org, credential("ok", "localhost:70000", secret())), 400))
        .isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.DELETE, REGISTRIES + "/not-a-uuid", ada.token(), org, null), 400)).isEqualTo("validation_failed");
    assertThat(list(ada, org).bodyAsJsonObject().getJsonArray("data")).isEmpty();
  }
}
