package io.skypanel.controlplane.organizations;

import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.TestImages;
import io.skypanel.common.testing.Eventually;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class OrganizationsApiTest extends ApiTestBase {

  private static String unique() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  private static HttpResponse<Buffer> addMember(String token, String organizationId, String email, String role) {
    return call(HttpMethod.POST, "/api/organizations/" + organizationId + "/members", token,
        new JsonObject().put("email", email).put("role", role));
  }

  private static HttpResponse<Buffer> setRole(String token, String organizationId, String userId, String role) {
    return call(HttpMethod.PATCH, "/api/organizations/" + organizationId + "/members/" + userId, token, new JsonObject().put("role", role));
  }

  private static HttpResponse<Buffer> removeMember(String token, String organizationId, String userId) {
    return call(HttpMethod.DELETE, "/api/organizations/" + organizationId + "/members/" + userId, token, null);
  }

  /** Every member of the organization as its owner/member sees them (first page is enough for these tests). */
  private static JsonArray members(String token, String organizationId) {
    HttpResponse<Buffer> listed = call(HttpMethod.GET, "/api/organizations/" + organizationId + "/members?limit=100", token, null);
    assertThat(listed.statusCode()).as(listed.bodyAsString()).isEqualTo(200);
    return listed.bodyAsJsonObject().getJsonArray("data");
  }

  private static String roleOf(JsonArray members, String userId) {
    for (int i = 0; i < members.size(); i++) {
      if (members.getJsonObject(i).getString("user_id").equals(userId)) {
        return members.getJsonObject(i).getString("role");
      }
    }
    return null;
  }

  private static List<String> ids(JsonArray items) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      ids.add(items.getJsonObject(i).getString("id"));
    }
    return ids;
  }

  // --- create and list -----------------------------------------------------------------------

  @Test
  void creates_an_organization_with_a_derived_slug_and_the_creator_as_owner() {
    ApiClient.Session ada = newUser("Ada");
    String suffix = unique();

    JsonObject org = createOrganization(ada, "Acme Café Rockets " + suffix);

    assertThat(org.getString("slug")).isEqualTo("acme-cafe-rockets-" + suffix);
    assertThat(org.getString("name")).isEqualTo("Acme Café Rockets " + suffix);
    assertThat(org.getString("role")).isEqualTo("owner");
    assertThat(org.getBoolean("personal")).isFalse();
    HttpResponse<Buffer> listed = call(HttpMethod.GET, "/api/organizations?limit=100", ada.token(), null);
    assertThat(listed.statusCode()).isEqualTo(200);
    JsonArray data = listed.bodyAsJsonObject().getJsonArray("data");
    assertThat(ids(data)).contains(org.getString("id"), ada.personalOrganizationId());
    assertThat(roleOf(members(ada.token(), org.getString("id")), ada.userId())).isEqualTo("owner");
  }

  @Test
  void a_derived_slug_that_is_taken_gets_a_suffix_instead_of_failing() {
    ApiClient.Session ada = newUser("Ada");
    String name = "Twin Org " + unique();

    JsonObject first = createOrganization(ada, name);
    JsonObject second = createOrganization(ada, name);

    assertThat(second.getString("slug")).startsWith(first.getString("slug") + "-").isNotEqualTo(first.getString("slug"));
    assertThat(second.getString("slug")).matches("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  }

  @Test
  void an_explicit_slug_that_is_taken_is_409_and_writes_nothing() {
    ApiClient.Session ada = newUser("Ada");
    ApiClient.Session bob = newUser("Bob");
    String slug = "taken-" + unique();
    HttpResponse<Buffer> first = call(HttpMethod.POST, "/api/organizations", ada.token(), new JsonObject().put("name", "First").put("slug", slug));
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
    assertThat(first.bodyAsJsonObject().getString("slug")).isEqualTo(slug);
    long organizations = server.count("organizations");
    long members = server.count("organization_members");
    long activity = server.count("activity_logs");

    HttpResponse<Buffer> second = call(HttpMethod.POST, "/api/organizations", bob.token(), new JsonObject().put("name", "Second").put("slug", slug));

    assertThat(errorCode(second, 409)).isEqualTo("slug_taken");
    assertThat(server.count("organizations")).isEqualTo(organizations);
    assertThat(server.count("organization_members")).isEqualTo(members);
    assertThat(server.count("activity_logs")).isEqualTo(activity);
  }

  // --- update and delete ---------------------------------------------------------------------

  @Test
  void an_admin_renames_the_organization_and_changes_its_slug() {
    ApiClient.Session owner = newUser("Owner");
    ApiClient.Session admin = newUser("Admin");
    String id = createOrganization(owner, "Old Name " + unique()).getString("id");
    addMember(owner, id, admin, "admin");
    String slug = "renamed-" + unique();

    HttpResponse<Buffer> updated = call(HttpMethod.PATCH, "/api/organizations/" + id, admin.token(),
        new JsonObject().put("name", "New Name").put("slug", slug));

    assertThat(updated.statusCode()).as(updated.bodyAsString()).isEqualTo(200);
    assertThat(updated.bodyAsJsonObject().getString("name")).isEqualTo("New Name");
    assertThat(updated.bodyAsJsonObject().getString("slug")).isEqualTo(slug);
    assertThat(updated.bodyAsJsonObject().getString("role")).isEqualTo("admin");
    JsonObject fetched = call(HttpMethod.GET, "/api/organizations/" + id, owner.token(), null).bodyAsJsonObject();
    assertThat(fetched.getString("name")).isEqualTo("New Name");
    assertThat(fetched.getString("slug")).isEqualTo(slug);
    assertThat(fetched.getString("role")).isEqualTo("owner");
  }

  @Test
  void renaming_only_keeps_the_slug_and_a_slug_of_another_organization_is_409() {
    ApiClient.Session owner = newUser("Owner");
    JsonObject mine = createOrganization(owner, "Mine " + unique());
    JsonObject other = createOrganization(owner, "Other " + unique());
    String id = mine.getString("id");

    HttpResponse<Buffer> renamed = call(HttpMethod.PATCH, "/api/organizations/" + id, owner.token(), new JsonObject().put("name", "Renamed"));
    assertThat(renamed.statusCode()).as(renamed.bodyAsString()).isEqualTo(200);
    assertThat(renamed.bodyAsJsonObject().getString("slug")).isEqualTo(mine.getString("slug"));
    long activity = server.count("activity_logs");

    HttpResponse<Buffer> clash = call(HttpMethod.PATCH, "/api/organizations/" + id, owner.token(), new JsonObject().put("slug", other.getString("slug")));

    assertThat(errorCode(clash, 409)).isEqualTo("slug_taken");
    assertThat(call(HttpMethod.GET, "/api/organizations/" + id, owner.token(), null).bodyAsJsonObject().getString("slug"))
        .isEqualTo(mine.getString("slug"));
    assertThat(server.count("activity_logs")).isEqualTo(activity);
  }

  @Test
  void the_owner_deletes_an_organization_and_it_is_gone() {
    ApiClient.Session owner = newUser("Owner");
    String id = createOrganization(owner, "Doomed " + unique()).getString("id");
    long organizations = server.count("organizations");

    HttpResponse<Buffer> deleted = call(HttpMethod.DELETE, "/api/organizations/" + id, owner.token(), null);

    assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(204);
    assertThat(errorCode(call(HttpMethod.GET, "/api/organizations/" + id, owner.token(), null), 404)).isEqualTo("not_found");
    assertThat(server.count("organizations")).isEqualTo(organizations - 1);
    assertThat(ids(call(HttpMethod.GET, "/api/organizations?limit=100", owner.token(), null).bodyAsJsonObject().getJsonArray("data")))
        .doesNotContain(id);
  }

  @Test
  void a_deleted_organization_takes_its_networks_with_it_even_with_a_gateway_joined() throws InterruptedException {
    ApiClient.Session owner = newUser("Owner");
    String id = createOrganization(owner, "Networked " + unique()).getString("id");
    String internal = "org-" + id;
    String egress = internal + "-egress";
    String gateway = "skypanel-test-orgnet-gw-" + id.substring(0, 8);
    // the organization's networks as the platform makes them, and a gateway container joined like the edge's
    TestImages.docker("network", "create", "--driver", "overlay", "--attachable", "--internal", "--label", "skypanel.org=" + id,
        "--label", "skypanel.network=internal", internal);
    TestImages.docker("network", "create", "--driver", "overlay", "--label", "skypanel.org=" + id, "--label", "skypanel.network=egress", egress);
    try {
      TestImages.docker("run", "-d", "--name", gateway, "--label", "skypanel.gateway=orgnet-test", "--network", internal,
          TestImages.busybox(), "sleep", "600");

      HttpResponse<Buffer> deleted = call(HttpMethod.DELETE, "/api/organizations/" + id, owner.token(), null);
      assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(204);

      Eventually.await("the organization's networks removed", java.time.Duration.ofSeconds(30), () ->
          TestImages.docker("network", "ls", "-q", "--filter", "label=skypanel.org=" + id).isBlank() ? true : null);
      assertThat(TestImages.docker("inspect", "--format", "{{.State.Running}}", gateway).trim()).as("the gateway keeps running").isEqualTo("true");
    } finally {
      TestImages.dockerResult("rm", "-f", gateway);
      TestImages.removeOrganizationNetworks(UUID.fromString(id));
    }
  }

  @Test
  void a_personal_organization_cannot_be_deleted() {
    ApiClient.Session owner = newUser("Owner");
    long organizations = server.count("organizations");

    HttpResponse<Buffer> refused = call(HttpMethod.DELETE, "/api/organizations/" + owner.personalOrganizationId(), owner.token(), null);

    assertThat(errorCode(refused, 422)).isEqualTo("personal_organization");
    assertThat(server.count("organizations")).isEqualTo(organizations);
    assertThat(call(HttpMethod.GET, "/api/organizations/" + owner.personalOrganizationId(), owner.token(), null).statusCode()).isEqualTo(200);
  }

  // --- members -------------------------------------------------------------------------------

  @Test
  void the_owner_adds_a_registered_user_by_email_with_a_role() {
    ApiClient.Session owner = newUser("Owner");
    ApiClient.Session dev = newUser("Dev");
    String id = createOrganization(owner, "Team " + unique()).getString("id");

    HttpResponse<Buffer> added = addMember(owner.token(), id, dev.email().toUpperCase(), "developer");

    assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
    assertThat(added.bodyAsJsonObject().getString("user_id")).isEqualTo(dev.userId());
    assertThat(added.bodyAsJsonObject().getString("email")).isEqualTo(dev.email());
    assertThat(added.bodyAsJsonObject().getString("role")).isEqualTo("developer");
    JsonArray members = members(owner.token(), id);
    assertThat(members.size()).isEqualTo(2);
    assertThat(roleOf(members, dev.userId())).isEqualTo("developer");
    assertThat(roleOf(members, owner.userId())).isEqualTo("owner");
    // the new member sees the organization with their own role
    JsonObject seen = call(HttpMethod.GET, "/api/organizations/" + id, dev.token(), null).bodyAsJsonObject();
    assertThat(seen.getString("role")).isEqualTo("developer");
  }

  @Test
  void adding_an_unknown_email_is_422_user_not_found_and_writes_nothing() {
    ApiClient.Session owner = newUser("Owner");
    String id = createOrganization(owner, "Team " + unique()).getString("id");
    long members = server.count("organization_members");
    long activity = server.count("activity_logs");

    HttpResponse<Buffer> refused = addMember(owner.token(), id, "nobody-" + unique() + "@example.test", "viewer");

    assertThat(errorCode(refused, 422)).isEqualTo("user_not_found");
    assertThat(server.count("organization_members")).isEqualTo(members);
    assertThat(server.count("activity_logs")).isEqualTo(activity);
  }

  @Test
  void adding_a_member_twice_is_409_already_member_and_keeps_the_first_role() {
    ApiClient.Session owner = newUser("Owner");
    ApiClient.Session viewer = newUser("Viewer");
    String id = createOrganization(owner, "Team " + unique()).getString("id");
    addMember(owner, id, viewer, "viewer");
    long members = server.count("organization_members");

    HttpResponse<Buffer> again = addMember(owner.token(), id, viewer.email(), "admin");

    assertThat(errorCode(again, 409)).isEqualTo("already_member");
    assertThat(server.count("organization_members")).isEqualTo(members);
    assertThat(roleOf(members(owner.token(), id), viewer.userId())).isEqualTo("viewer");
  }

  @Test
  void the_owner_changes_a_members_role_and_removes_a_member() {
    ApiClient.Session owner = newUser("Owner");
    ApiClient.Session member = newUser("Member");
    String id = createOrganization(owner, "Team " + unique()).getString("id");
    addMember(owner, id, member, "viewer");

    HttpResponse<Buffer> promoted = setRole(owner.token(), id, member.userId(), "admin");
    assertThat(promoted.statusCode()).as(promoted.bodyAsString()).isEqualTo(200);
    assertThat(promoted.bodyAsJsonObject().getString("role")).isEqualTo("admin");
    assertThat(roleOf(members(owner.token(), id), member.userId())).isEqualTo("admin");

    HttpResponse<Buffer> removed = removeMember(owner.token(), id, member.userId());
    assertThat(removed.statusCode()).as(removed.bodyAsString()).isEqualTo(204);
    assertThat(roleOf(members(owner.token(), id), member.userId())).isNull();
    assertThat(errorCode(removeMember(owner.token(), id, member.userId()), 404)).isEqualTo("not_found");
    assertThat(errorCode(setRole(owner.token(), id, member.userId(), "viewer"), 404)).isEqualTo("not_found");
  }

  @Test
  void a_viewer_can_leave_the_organization() {
    ApiClient.Session owner = newUser("Owner");
    ApiClient.Session viewer = newUser("Viewer");
    String id = createOrganization(owner, "Team " + unique()).getString("id");
    addMember(owner, id, viewer, "viewer");

    HttpResponse<Buffer> left = removeMember(viewer.token(), id, viewer.userId());

    assertThat(left.statusCode()).as(left.bodyAsString()).isEqualTo(204);
    assertThat(roleOf(members(owner.token(), id), viewer.userId())).isNull();
    assertThat(errorCode(call(HttpMethod.GET, "/api/organizations/" + id, viewer.token(), null), 404)).isEqualTo("not_found");
    JsonArray activity = call(HttpMethod.GET, "/api/activity?action=organization.member.leave", owner.token(), id, null)
        .bodyAsJsonObject().getJsonArray("data");
    assertThat(activity.size()).isEqualTo(1);
    assertThat(activity.getJsonObject(0).getString("target_id")).isEqualTo(viewer.userId());
  }

  @Test
  void the_last_owner_can_be_neither_removed_nor_demoted() {
    ApiClient.Session owner = newUser("Owner");
    ApiClient.Session admin = newUser("Admin");
    String id = createOrganization(owner, "Team " + unique()).getString("id");
    addMember(owner, id, admin, "admin");

    assertThat(errorCode(removeMember(owner.token(), id, owner.userId()), 422)).isEqualTo("last_owner");
    assertThat(errorCode(setRole(owner.token(), id, owner.userId(), "admin"), 422)).isEqualTo("last_owner");
    assertThat(roleOf(members(owner.token(), id), owner.userId())).isEqualTo("owner");

    // with a second owner, the first may step down
    assertThat(setRole(owner.token(), id, admin.userId(), "owner").statusCode()).isEqualTo(200);
    HttpResponse<Buffer> demoted = setRole(owner.token(), id, owner.userId(), "admin");
    assertThat(demoted.statusCode()).as(demoted.bodyAsString()).isEqualTo(200);
    // and now the other one is the last owner
    assertThat(errorCode(removeMember(admin.token(), id, admin.userId()), 422)).isEqualTo("last_owner");
  }

  @Test
  void an_admin_can_neither_grant_ownership_nor_touch_an_owner() {
    ApiClient.Session owner = newUser("Owner");
    ApiClient.Session admin = newUser("Admin");
    ApiClient.Session dev = newUser("Dev");
    ApiClient.Session outsider = newUser("Outsider");
    String id = createOrganization(owner, "Team " + unique()).getString("id");
    addMember(owner, id, admin, "admin");
    addMember(owner, id, dev, "developer");
    long members = server.count("organization_members");

    assertThat(errorCode(addMember(admin.token(), id, outsider.email(), "owner"), 403)).isEqualTo("forbidden");
    assertThat(errorCode(setRole(admin.token(), id, dev.userId(), "owner"), 403)).isEqualTo("forbidden");
    assertThat(errorCode(setRole(admin.token(), id, admin.userId(), "owner"), 403)).isEqualTo("forbidden");
    assertThat(errorCode(setRole(admin.token(), id, owner.userId(), "viewer"), 403)).isEqualTo("forbidden");
    assertThat(errorCode(removeMember(admin.token(), id, owner.userId()), 403)).isEqualTo("forbidden");

    assertThat(server.count("organization_members")).isEqualTo(members);
    JsonArray after = members(owner.token(), id);
    assertThat(roleOf(after, owner.userId())).isEqualTo("owner");
    assertThat(roleOf(after, dev.userId())).isEqualTo("developer");
    assertThat(roleOf(after, admin.userId())).isEqualTo("admin");
    // what an admin may do: manage non-owner members
    assertThat(setRole(admin.token(), id, dev.userId(), "viewer").statusCode()).isEqualTo(200);
    assertThat(addMember(admin.token(), id, outsider.email(), "developer").statusCode()).isEqualTo(201);
    assertThat(removeMember(admin.token(), id, dev.userId()).statusCode()).isEqualTo(204);
  }

  @Test
  void a_read_only_token_can_neither_remove_a_member_nor_leave() {
    ApiClient.Session owner = newUser("Owner");
    ApiClient.Session member = newUser("Member");
    String id = createOrganization(owner, "Team " + unique()).getString("id");
    addMember(owner, id, member, "viewer");
    String ownerReadOnly = readOnlyToken(owner);
    String memberReadOnly = readOnlyToken(member);
    long members = server.count("organization_members");

    assertThat(call(HttpMethod.GET, "/api/organizations/" + id + "/members", ownerReadOnly, null).statusCode()).isEqualTo(200);
    assertThat(errorCode(removeMember(ownerReadOnly, id, member.userId()), 403)).isEqualTo("forbidden");
    assertThat(errorCode(removeMember(memberReadOnly, id, member.userId()), 403)).isEqualTo("forbidden");

    assertThat(server.count("organization_members")).isEqualTo(members);
    assertThat(roleOf(members(owner.token(), id), member.userId())).isEqualTo("viewer");
  }

  private static String readOnlyToken(ApiClient.Session session) {
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/auth/tokens", session.token(),
        new JsonObject().put("name", "read-only").put("scopes", new JsonArray().add("read")));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("token");
  }

  // --- pagination ----------------------------------------------------------------------------

  @Test
  void lists_organizations_page_by_page_without_duplicates() {
    ApiClient.Session ada = newUser("Ada");
    List<String> expected = new ArrayList<>();
    expected.add(ada.personalOrganizationId());
    for (int i = 0; i < 3; i++) {
      expected.add(createOrganization(ada, "Paged " + i + " " + unique()).getString("id"));
    }

    HttpResponse<Buffer> first = call(HttpMethod.GET, "/api/organizations?limit=2", ada.token(), null);
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(200);
    JsonObject firstPage = first.bodyAsJsonObject();
    assertThat(firstPage.getJsonArray("data").size()).isEqualTo(2);
    String cursor = firstPage.getString("next_cursor");
    assertThat(cursor).isNotBlank();

    HttpResponse<Buffer> second = call(HttpMethod.GET, "/api/organizations?limit=2&cursor=" + cursor, ada.token(), null);
    assertThat(second.statusCode()).as(second.bodyAsString()).isEqualTo(200);
    JsonObject secondPage = second.bodyAsJsonObject();
    assertThat(secondPage.getJsonArray("data").size()).isEqualTo(2);
    assertThat(secondPage.containsKey("next_cursor")).isTrue();
    assertThat(secondPage.getString("next_cursor")).isNull();

    List<String> seen = new ArrayList<>(ids(firstPage.getJsonArray("data")));
    seen.addAll(ids(secondPage.getJsonArray("data")));
    assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    // newest first: the most recently created organization leads the first page
    assertThat(seen.get(0)).isEqualTo(expected.get(3));
  }

  @Test
  void a_garbage_cursor_is_400() {
    ApiClient.Session ada = newUser("Ada");
    String wellFormedButMeaningless = Base64.getUrlEncoder().withoutPadding().encodeToString("foobar".getBytes(StandardCharsets.UTF_8));
    String badParts = Base64.getUrlEncoder().withoutPadding().encodeToString("yesterday|not-a-uuid".getBytes(StandardCharsets.UTF_8));

    assertThat(errorCode(call(HttpMethod.GET, "/api/organizations?cursor=" + wellFormedButMeaningless, ada.token(), null), 400))
        .isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.GET, "/api/organizations?cursor=" + badParts, ada.token(), null), 400))
        .isEqualTo("validation_failed");
    assertThat(errorCode(call(HttpMethod.GET, "/api/organizations?cursor=%27%3B--", ada.token(), null), 400))
        .isEqualTo("validation_failed");
  }
}
