package io.skypanel.controlplane.auth;

import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class AuthApiTest extends ApiTestBase {

  private static JsonObject registration(String email, String password) {
    return new JsonObject().put("email", email).put("password", password).put("name", "Ada Lovelace");
  }

  private static String uniqueEmail() {
    return "ada-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
  }

  @Test
  void registers_a_user_with_a_personal_organization_they_own() {
    String email = uniqueEmail();
    HttpResponse<Buffer> response = call(HttpMethod.POST, "/api/auth/register", null, registration(email, "correct-horse-battery"));

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getJsonObject("user").getString("email")).isEqualTo(email);
    assertThat(body.getJsonObject("user").containsKey("password_hash")).isFalse();
    JsonObject org = body.getJsonObject("organization");
    assertThat(org.getBoolean("personal")).isTrue();
    assertThat(org.getString("role")).isEqualTo("owner");
    assertThat(body.getJsonObject("user").getString("personal_organization_id")).isEqualTo(org.getString("id"));
  }

  @Test
  void rejects_a_duplicate_email_regardless_of_case_with_409_and_writes_nothing() {
    String email = uniqueEmail();
    assertThat(call(HttpMethod.POST, "/api/auth/register", null, registration(email, "correct-horse-battery")).statusCode()).isEqualTo(201);
    long users = server.count("users");
    long organizations = server.count("organizations");

    HttpResponse<Buffer> again = call(HttpMethod.POST, "/api/auth/register", null, registration(email.toUpperCase(), "another-password-1"));

    assertThat(errorCode(again, 409)).isEqualTo("email_taken");
    assertThat(server.count("users")).isEqualTo(users);
    assertThat(server.count("organizations")).isEqualTo(organizations);
  }

  @Test
  void logs_in_and_the_access_token_identifies_the_user() {
    ApiClient.Session session = newUser("Grace Hopper");

    HttpResponse<Buffer> me = call(HttpMethod.GET, "/api/auth/me", session.token(), null);

    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.bodyAsJsonObject().getString("email")).isEqualTo(session.email());
  }

  @Test
  void rejects_a_wrong_password_and_an_unknown_account_alike() {
    ApiClient.Session session = newUser("Linus");

    HttpResponse<Buffer> wrong = call(HttpMethod.POST, "/api/auth/login", null,
        new JsonObject().put("email", session.email()).put("password", "not-the-password"));
    HttpResponse<Buffer> unknown = call(HttpMethod.POST, "/api/auth/login", null,
        new JsonObject().put("email", uniqueEmail()).put("password", "not-the-password"));

    assertThat(errorCode(wrong, 401)).isEqualTo("unauthorized");
    assertThat(unknown.bodyAsString()).isEqualTo(wrong.bodyAsString());
  }

  @Test
  void requests_without_or_with_a_forged_token_are_401() {
    assertThat(errorCode(call(HttpMethod.GET, "/api/auth/me", null, null), 401)).isEqualTo("unauthorized");
    assertThat(errorCode(call(HttpMethod.GET, "/api/auth/me", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", null), 401)).isEqualTo("unauthorized");
    assertThat(errorCode(call(HttpMethod.GET, "/api/auth/me", "skp_not-a-real-token", null), 401)).isEqualTo("unauthorized");
  }

  @Test
  void refresh_rotates_the_token_and_a_reused_token_revokes_the_session() {
    String email = uniqueEmail();
    call(HttpMethod.POST, "/api/auth/register", null, registration(email, "correct-horse-battery"));
    JsonObject first = call(HttpMethod.POST, "/api/auth/login", null,
        new JsonObject().put("email", email).put("password", "correct-horse-battery")).bodyAsJsonObject();
    assertThat(first.getInteger("expires_in")).isPositive();

    HttpResponse<Buffer> rotated = call(HttpMethod.POST, "/api/auth/refresh", null, new JsonObject().put("refresh_token", first.getString("refresh_token")));
    assertThat(rotated.statusCode()).as(rotated.bodyAsString()).isEqualTo(200);
    JsonObject second = rotated.bodyAsJsonObject();
    assertThat(second.getString("refresh_token")).isNotEqualTo(first.getString("refresh_token"));
    assertThat(call(HttpMethod.GET, "/api/auth/me", second.getString("token"), null).statusCode()).isEqualTo(200);

    // replaying the first refresh token is theft: it fails and takes the newer one down with it
    assertThat(errorCode(call(HttpMethod.POST, "/api/auth/refresh", null,
        new JsonObject().put("refresh_token", first.getString("refresh_token"))), 401)).isEqualTo("unauthorized");
    assertThat(errorCode(call(HttpMethod.POST, "/api/auth/refresh", null,
        new JsonObject().put("refresh_token", second.getString("refresh_token"))), 401)).isEqualTo("unauthorized");
  }

  @Test
  void throttles_login_after_repeated_failures_even_with_the_right_password() {
    String email = uniqueEmail();
    call(HttpMethod.POST, "/api/auth/register", null, registration(email, "correct-horse-battery"));
    for (int attempt = 0; attempt < 5; attempt++) {
      assertThat(call(HttpMethod.POST, "/api/auth/login", null, new JsonObject().put("email", email).put("password", "guess-" + attempt)).statusCode())
          .isEqualTo(401);
    }

    HttpResponse<Buffer> locked = call(HttpMethod.POST, "/api/auth/login", null,
        new JsonObject().put("email", email).put("password", "correct-horse-battery"));

    assertThat(errorCode(locked, 429)).isEqualTo("rate_limited");
    assertThat(Integer.parseInt(locked.getHeader("Retry-After"))).isBetween(1, 900);
  }

  @Test
  void api_token_is_shown_once_works_as_bearer_and_stops_working_when_revoked() {
    ApiClient.Session session = newUser("CI Robot");
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/auth/tokens", session.token(), new JsonObject().put("name", "ci"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String secret = created.bodyAsJsonObject().getString("token");
    String id = created.bodyAsJsonObject().getString("id");
    assertThat(secret).startsWith("skp_").startsWith(created.bodyAsJsonObject().getString("prefix"));

    HttpResponse<Buffer> listed = call(HttpMethod.GET, "/api/auth/tokens", session.token(), null);
    assertThat(listed.bodyAsString()).contains(id).doesNotContain(secret);
    assertThat(call(HttpMethod.GET, "/api/auth/me", secret, null).statusCode()).isEqualTo(200);
    assertThat(listed.bodyAsJsonObject().getJsonArray("data").getJsonObject(0).getString("prefix")).hasSize(12);

    assertThat(call(HttpMethod.DELETE, "/api/auth/tokens/" + id, session.token(), null).statusCode()).isEqualTo(204);
    assertThat(errorCode(call(HttpMethod.GET, "/api/auth/me", secret, null), 401)).isEqualTo("unauthorized");
    assertThat(call(HttpMethod.GET, "/api/auth/tokens", session.token(), null).bodyAsString()).doesNotContain(id);
  }

  @Test
  void a_read_only_token_cannot_mutate_and_cannot_mint_broader_tokens() {
    ApiClient.Session session = newUser("Auditor");
    String readOnly = call(HttpMethod.POST, "/api/auth/tokens", session.token(),
        new JsonObject().put("name", "audit").put("scopes", new JsonArray().add("read"))).bodyAsJsonObject().getString("token");

    assertThat(call(HttpMethod.GET, "/api/organizations", readOnly, null).statusCode()).isEqualTo(200);
    assertThat(errorCode(call(HttpMethod.POST, "/api/organizations", readOnly, new JsonObject().put("name", "Nope")), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.POST, "/api/auth/tokens", readOnly, new JsonObject().put("name", "wider")), 403)).isEqualTo("forbidden");
  }

  @Test
  void another_users_token_cannot_be_revoked_and_looks_absent() {
    ApiClient.Session owner = newUser("Owner");
    ApiClient.Session stranger = newUser("Stranger");
    String id = call(HttpMethod.POST, "/api/auth/tokens", owner.token(), new JsonObject().put("name", "mine")).bodyAsJsonObject().getString("id");

    assertThat(errorCode(call(HttpMethod.DELETE, "/api/auth/tokens/" + id, stranger.token(), null), 404)).isEqualTo("not_found");
    assertThat(call(HttpMethod.GET, "/api/auth/tokens", owner.token(), null).bodyAsString()).contains(id);
  }

  @Test
  void only_platform_admins_may_create_admin_scoped_tokens() {
    ApiClient.Session user = newUser("Mallory");
    HttpResponse<Buffer> refused = call(HttpMethod.POST, "/api/auth/tokens", user.token(),
        new JsonObject().put("name", "x").put("scopes", new JsonArray().add("admin")));
    assertThat(errorCode(refused, 422)).isEqualTo("scope_not_allowed");
  }
}
