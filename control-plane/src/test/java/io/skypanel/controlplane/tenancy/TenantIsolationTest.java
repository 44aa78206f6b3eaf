package io.skypanel.controlplane.tenancy;

import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Organizations are walled off from each other, and inside one the role decides what a member may do. */
class TenantIsolationTest extends ApiTestBase {

  private static String unique() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  private static String organizationId(ApiClient.Session owner, String name) {
    return createOrganization(owner, name).getString("id");
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static JsonArray members(String token, String organizationId) {
    return ok(call(HttpMethod.GET, "/api/organizations/" + organizationId + "/members?limit=100", token, null)).getJsonArray("data");
  }

  private static String roleOf(JsonArray members, String userId) {
    for (int i = 0; i < members.size(); i++) {
      if (members.getJsonObject(i).getString("user_id").equals(userId)) {
        return members.getJsonObject(i).getString("role");
      }
    }
    return null;
  }

  private static int activityCount(String token, String organizationId) {
    return ok(call(HttpMethod.GET, "/api/activity?limit=100", token, organizationId, null)).getJsonArray("data").size();
  }

  /** Every organization route, aimed at {@code organizationId}, as {@code caller}. Keys name the route. */
  private static Map<String, HttpResponse<Buffer>> everyRoute(ApiClient.Session caller, String organizationId, String memberId) {
    String org = "/api/organizations/" + organizationId;
    Map<String, HttpResponse<Buffer>> responses = new LinkedHashMap<>();
    responses.put("GET org", call(HttpMethod.GET, org, caller.token(), null));
    responses.put("PATCH org", call(HttpMethod.PATCH, org, caller.token(), new JsonObject().put("name", "Hijacked").put("slug", "hijacked-" + unique())));
    responses.put("DELETE org", call(HttpMethod.DELETE, org, caller.token(), null));
    responses.put("GET members", call(HttpMethod.GET, org + "/members", caller.token(), null));
    responses.put("POST member", call(HttpMethod.POST, org + "/members", caller.token(),
        new JsonObject().put("email", caller.email()).put("role", "owner")));
    responses.put("PATCH member", call(HttpMethod.PATCH, org + "/members/" + memberId, caller.token(), new JsonObject().put("role", "viewer")));
    responses.put("DELETE member", call(HttpMethod.DELETE, org + "/members/" + memberId, caller.token(), null));
    responses.put("GET activity", call(HttpMethod.GET, "/api/activity", caller.token(), organizationId, null));
    return responses;
  }

  @Test
  void each_role_may_do_exactly_what_it_is_allowed_in_an_organization() {
    ApiClient.Session owner = newUser("Owner A");
    ApiClient.Session viewer = newUser("Viewer B");
    ApiClient.Session developer = newUser("Developer C");
    ApiClient.Session admin = newUser("Admin D");
    ApiClient.Session newcomer = newUser("Newcomer");
    String id = organizationId(owner, "Matrix " + unique());
    String org = "/api/organizations/" + id;
    addMember(owner, id, viewer, "viewer");
    addMember(owner, id, developer, "developer");
    addMember(owner, id, admin, "admin");
    JsonObject addNewcomer = new JsonObject().put("email", newcomer.email()).put("role", "viewer");

    // viewer: reads everything, changes nothing
    assertThat(ok(call(HttpMethod.GET, org, viewer.token(), null)).getString("role")).isEqualTo("viewer");
    assertThat(members(viewer.token(), id).size()).isEqualTo(4);
    assertThat(activityCount(viewer.token(), id)).isPositive();
    assertThat(errorCode(call(HttpMethod.PATCH, org, viewer.token(), new JsonObject().put("name", "By Viewer")), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.POST, org + "/members", viewer.token(), addNewcomer), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.PATCH, org + "/members/" + developer.userId(), viewer.token(), new JsonObject().put("role", "viewer")), 403))
        .isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.DELETE, org + "/members/" + developer.userId(), viewer.token(), null), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.DELETE, org, viewer.token(), null), 403)).isEqualTo("forbidden");

    // developer: reads, but manages neither members nor settings
    assertThat(ok(call(HttpMethod.GET, org, developer.token(), null)).getString("role")).isEqualTo("developer");
    assertThat(errorCode(call(HttpMethod.POST, org + "/members", developer.token(), addNewcomer), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.PATCH, org + "/members/" + viewer.userId(), developer.token(), new JsonObject().put("role", "admin")), 403))
        .isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.DELETE, org + "/members/" + viewer.userId(), developer.token(), null), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.PATCH, org, developer.token(), new JsonObject().put("name", "By Developer")), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.DELETE, org, developer.token(), null), 403)).isEqualTo("forbidden");

    // none of that changed anything
    JsonArray untouched = members(owner.token(), id);
    assertThat(untouched.size()).isEqualTo(4);
    assertThat(roleOf(untouched, viewer.userId())).isEqualTo("viewer");
    assertThat(roleOf(untouched, developer.userId())).isEqualTo("developer");
    assertThat(ok(call(HttpMethod.GET, org, owner.token(), null)).getString("name")).startsWith("Matrix ");

    // admin: settings and members, but not deletion
    HttpResponse<Buffer> renamed = call(HttpMethod.PATCH, org, admin.token(), new JsonObject().put("name", "By Admin"));
    assertThat(ok(renamed).getString("name")).isEqualTo("By Admin");
    assertThat(call(HttpMethod.POST, org + "/members", admin.token(), addNewcomer).statusCode()).isEqualTo(201);
    assertThat(ok(call(HttpMethod.PATCH, org + "/members/" + newcomer.userId(), admin.token(), new JsonObject().put("role", "developer")))
        .getString("role")).isEqualTo("developer");
    assertThat(call(HttpMethod.DELETE, org + "/members/" + newcomer.userId(), admin.token(), null).statusCode()).isEqualTo(204);
    assertThat(errorCode(call(HttpMethod.DELETE, org, admin.token(), null), 403)).isEqualTo("forbidden");
    assertThat(call(HttpMethod.GET, org, owner.token(), null).statusCode()).isEqualTo(200);

    // owner: may delete
    assertThat(call(HttpMethod.DELETE, org, owner.token(), null).statusCode()).isEqualTo(204);
    assertThat(errorCode(call(HttpMethod.GET, org, owner.token(), null), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.GET, org, admin.token(), null), 404)).isEqualTo("not_found");
  }

  @Test
  void a_foreign_organization_is_404_on_every_route_exactly_like_an_unknown_one() {
    ApiClient.Session alice = newUser("Alice");
    ApiClient.Session bob = newUser("Bob");
    ApiClient.Session bobsColleague = newUser("Carol");
    String alicesOrg = organizationId(alice, "Alice Co " + unique());
    String bobsName = "Bob Co " + unique();
    String bobsOrg = organizationId(bob, bobsName);
    addMember(bob, bobsOrg, bobsColleague, "developer");
    JsonObject before = ok(call(HttpMethod.GET, "/api/organizations/" + bobsOrg, bob.token(), null));
    int activityBefore = activityCount(bob.token(), bobsOrg);
    long organizations = server.count("organizations");
    long memberships = server.count("organization_members");
    long activityRows = server.count("activity_logs");

    Map<String, HttpResponse<Buffer>> foreign = everyRoute(alice, bobsOrg, bob.userId());
    Map<String, HttpResponse<Buffer>> unknown = everyRoute(alice, UUID.randomUUID().toString(), bob.userId());

    assertThat(foreign).hasSize(8);
    foreign.forEach((route, response) -> {
      assertThat(errorCode(response, 404)).as(route).isEqualTo("not_found");
      HttpResponse<Buffer> twin = unknown.get(route);
      assertThat(twin.statusCode()).as(route + " with an unknown id").isEqualTo(404);
      assertThat(twin.bodyAsString()).as(route + ": foreign and unknown must look alike").isEqualTo(response.bodyAsString());
    });

    // nothing in Bob's organization moved
    JsonObject after = ok(call(HttpMethod.GET, "/api/organizations/" + bobsOrg, bob.token(), null));
    assertThat(after.getString("name")).isEqualTo(bobsName);
    assertThat(after.getString("slug")).isEqualTo(before.getString("slug"));
    assertThat(after.getString("updated_at")).isEqualTo(before.getString("updated_at"));
    JsonArray members = members(bob.token(), bobsOrg);
    assertThat(members.size()).isEqualTo(2);
    assertThat(roleOf(members, bob.userId())).isEqualTo("owner");
    assertThat(roleOf(members, bobsColleague.userId())).isEqualTo("developer");
    assertThat(roleOf(members, alice.userId())).isNull();
    assertThat(activityCount(bob.token(), bobsOrg)).isEqualTo(activityBefore);
    assertThat(server.count("organizations")).isEqualTo(organizations);
    assertThat(server.count("organization_members")).isEqualTo(memberships);
    assertThat(server.count("activity_logs")).isEqualTo(activityRows);
    // and Alice's own organization still works for her
    assertThat(call(HttpMethod.GET, "/api/organizations/" + alicesOrg, alice.token(), null).statusCode()).isEqualTo(200);
  }

  @Test
  void the_organization_list_shows_only_the_callers_organizations() {
    ApiClient.Session alice = newUser("Alice");
    ApiClient.Session bob = newUser("Bob");
    String bobsOrg = organizationId(bob, "Bob Co " + unique());

    String listed = ok(call(HttpMethod.GET, "/api/organizations?limit=100", alice.token(), null)).encode();

    assertThat(listed).doesNotContain(bobsOrg).doesNotContain(bob.personalOrganizationId()).contains(alice.personalOrganizationId());
  }

  @Test
  void a_malformed_organization_header_is_400_validation_failed() {
    ApiClient.Session alice = newUser("Alice");

    assertThat(errorCode(call(HttpMethod.GET, "/api/activity", alice.token(), "1 OR 1=1", null), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.GET, "/api/activity", alice.token(), "' OR ''='", null), 400)).isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.GET, "/api/activity", alice.token(), alice.personalOrganizationId() + "x", null), 400))
        .isEqualTo("validation_failed");
    // without the header the personal organization is used
    assertThat(call(HttpMethod.GET, "/api/activity", alice.token(), null).statusCode()).isEqualTo(200);
  }

  @Test
  void activity_defaults_to_the_personal_organization_and_follows_the_header() {
    ApiClient.Session alice = newUser("Alice");
    String team = organizationId(alice, "Team " + unique());

    JsonArray personal = ok(call(HttpMethod.GET, "/api/activity?limit=100", alice.token(), null)).getJsonArray("data");
    JsonArray teams = ok(call(HttpMethod.GET, "/api/activity?limit=100", alice.token(), team, null)).getJsonArray("data");

    assertThat(teams.size()).isEqualTo(1);
    assertThat(teams.getJsonObject(0).getString("organization_id")).isEqualTo(team);
    assertThat(teams.getJsonObject(0).getString("action")).isEqualTo("organization.create");
    for (int i = 0; i < personal.size(); i++) {
      assertThat(personal.getJsonObject(i).getString("organization_id")).isEqualTo(alice.personalOrganizationId());
    }
  }

  @Test
  void a_removed_member_loses_access_immediately() {
    ApiClient.Session owner = newUser("Owner");
    ApiClient.Session member = newUser("Member");
    String id = organizationId(owner, "Team " + unique());
    String org = "/api/organizations/" + id;
    addMember(owner, id, member, "admin");
    assertThat(call(HttpMethod.GET, org, member.token(), null).statusCode()).isEqualTo(200);
    assertThat(call(HttpMethod.GET, "/api/activity", member.token(), id, null).statusCode()).isEqualTo(200);

    assertThat(call(HttpMethod.DELETE, org + "/members/" + member.userId(), owner.token(), null).statusCode()).isEqualTo(204);

    // the same, still valid, access token no longer reaches anything in the organization
    assertThat(errorCode(call(HttpMethod.GET, org, member.token(), null), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.GET, org + "/members", member.token(), null), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.PATCH, org, member.token(), new JsonObject().put("name", "Revenge")), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.GET, "/api/activity", member.token(), id, null), 404)).isEqualTo("not_found");
    assertThat(ok(call(HttpMethod.GET, "/api/organizations?limit=100", member.token(), null)).encode()).doesNotContain(id);
    assertThat(call(HttpMethod.GET, "/api/auth/me", member.token(), null).statusCode()).isEqualTo(200);
  }
}
