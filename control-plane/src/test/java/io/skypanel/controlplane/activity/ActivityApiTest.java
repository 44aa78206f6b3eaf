package io.skypanel.controlplane.activity;

import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

class ActivityApiTest extends ApiTestBase {

  /** Runs a mutating call and asserts it wrote exactly one activity row. */
  private static HttpResponse<Buffer> writesOneRow(Supplier<HttpResponse<Buffer>> mutation, int expectedStatus) {
    long before = server.count("activity_logs");
    HttpResponse<Buffer> response = mutation.get();
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(expectedStatus);
    assertThat(server.count("activity_logs")).as("activity rows written").isEqualTo(before + 1);
    return response;
  }

  @Test
  void every_mutating_call_writes_exactly_one_row() {
    ApiClient.Session owner = newUser("Recorder");
    ApiClient.Session colleague = newUser("Colleague");
    String org = writesOneRow(() -> call(HttpMethod.POST, "/api/organizations", owner.token(), new JsonObject().put("name", "Audited")), 201)
        .bodyAsJsonObject().getString("id");
    String base = "/api/organizations/" + org;

    writesOneRow(() -> call(HttpMethod.PATCH, base, owner.token(), new JsonObject().put("name", "Audited Inc")), 200);
    writesOneRow(() -> call(HttpMethod.POST, base + "/members", owner.token(), new JsonObject().put("email", colleague.email()).put("role", "viewer")), 201);
    writesOneRow(() -> call(HttpMethod.PATCH, base + "/members/" + colleague.userId(), owner.token(), new JsonObject().put("role", "developer")), 200);
    writesOneRow(() -> call(HttpMethod.DELETE, base + "/members/" + colleague.userId(), owner.token(), null), 204);
    String tokenId = writesOneRow(() -> call(HttpMethod.POST, "/api/auth/tokens", owner.token(), new JsonObject().put("name", "deploy")), 201)
        .bodyAsJsonObject().getString("id");
    writesOneRow(() -> call(HttpMethod.DELETE, "/api/auth/tokens/" + tokenId, owner.token(), null), 204);
    writesOneRow(() -> call(HttpMethod.DELETE, base, owner.token(), null), 204);
  }

  @Test
  void a_refused_mutation_writes_nothing() {
    ApiClient.Session owner = newUser("Careful");
    long before = server.count("activity_logs");
    HttpResponse<Buffer> refused = call(HttpMethod.DELETE, "/api/organizations/" + owner.personalOrganizationId(), owner.token(), null);
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(server.count("activity_logs")).isEqualTo(before);
  }

  @Test
  void lists_the_organizations_activity_newest_first_with_prefix_filter_and_cursor() {
    ApiClient.Session owner = newUser("Historian");
    ApiClient.Session other = newUser("Other");
    String org = call(HttpMethod.POST, "/api/organizations", owner.token(), new JsonObject().put("name", "Chronicle")).bodyAsJsonObject().getString("id");
    String base = "/api/organizations/" + org;
    call(HttpMethod.POST, base + "/members", owner.token(), new JsonObject().put("email", other.email()).put("role", "viewer"));
    call(HttpMethod.PATCH, base + "/members/" + other.userId(), owner.token(), new JsonObject().put("role", "admin"));
    call(HttpMethod.PATCH, base, owner.token(), new JsonObject().put("name", "Chronicle 2"));

    JsonArray all = call(HttpMethod.GET, "/api/activity", owner.token(), org, null).bodyAsJsonObject().getJsonArray("data");
    assertThat(all.stream().map(e -> ((JsonObject) e).getString("action")).toList())
        .containsExactly("organization.update", "organization.member.update", "organization.member.add", "organization.create");
    JsonObject add = all.getJsonObject(2);
    assertThat(add.getString("user_email")).isEqualTo(owner.email());
    assertThat(add.getString("target_id")).isEqualTo(other.userId());
    assertThat(add.getJsonObject("metadata").getString("role")).isEqualTo("viewer");
    assertThat(add.getString("ip")).isEqualTo("127.0.0.1");

    JsonArray members = call(HttpMethod.GET, "/api/activity?action=organization.member", owner.token(), org, null)
        .bodyAsJsonObject().getJsonArray("data");
    assertThat(members.stream().map(e -> ((JsonObject) e).getString("action")).toList())
        .containsExactly("organization.member.update", "organization.member.add");

    List<String> paged = new ArrayList<>();
    String cursor = "";
    do {
      JsonObject page = call(HttpMethod.GET, "/api/activity?limit=1" + (cursor.isEmpty() ? "" : "&cursor=" + cursor), owner.token(), org, null).bodyAsJsonObject();
      page.getJsonArray("data").forEach(e -> paged.add(((JsonObject) e).getString("id")));
      cursor = page.getString("next_cursor") == null ? null : page.getString("next_cursor");
    } while (cursor != null);
    assertThat(paged).hasSize(4).doesNotHaveDuplicates();
    assertThat(new HashSet<>(paged)).isEqualTo(new HashSet<>(all.stream().map(e -> ((JsonObject) e).getString("id")).toList()));
  }

  @Test
  void without_a_header_the_personal_organization_is_used() {
    ApiClient.Session user = newUser("Solo");
    JsonArray activity = call(HttpMethod.GET, "/api/activity", user.token(), null).bodyAsJsonObject().getJsonArray("data");
    assertThat(activity.stream().map(e -> ((JsonObject) e).getString("action")).toList()).containsExactly("auth.login", "auth.register");
    assertThat(activity.getJsonObject(0).getString("organization_id")).isEqualTo(user.personalOrganizationId());
  }
}
