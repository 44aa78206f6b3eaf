package io.skypanel.controlplane.paas;

import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** An app's pinned buildpacks (Heroku's buildpack installations) through the API: order, roles, tenancy, validation. */
class AppBuildpacksApiTest extends ApiTestBase {

  private static ApiClient.Session owner;
  private static ApiClient.Session viewer;
  private static ApiClient.Session stranger;
  private static String org;
  private static String strangerOrg;
  private static String app;

  @BeforeAll
  static void appWithMembers() {
    owner = newUser("Pins Owner");
    viewer = newUser("Pins Viewer");
    stranger = newUser("Pins Stranger");
    org = createOrganization(owner, "Pins " + UUID.randomUUID().toString().substring(0, 6)).getString("id");
    strangerOrg = createOrganization(stranger, "Elsewhere " + UUID.randomUUID().toString().substring(0, 6)).getString("id");
    addMember(owner, org, viewer, "viewer");
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/paas/apps", owner.token(), org, new JsonObject().put("name", "pinned"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    app = created.bodyAsJsonObject().getString("id");
  }

  private static JsonObject updates(String... slugs) {
    JsonArray list = new JsonArray();
    for (String slug : slugs) {
      list.add(new JsonObject().put("buildpack", slug));
    }
    return new JsonObject().put("updates", list);
  }

  private static List<String> slugs(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonArray("data").stream().map(JsonObject.class::cast)
        .map(pin -> pin.getJsonObject("buildpack").getString("slug")).toList();
  }

  private static List<String> current() {
    return slugs(call(HttpMethod.GET, "/api/paas/apps/" + app + "/buildpacks", owner.token(), org, null));
  }

  @Test
  void a_developer_pins_buildpacks_in_order_and_unpins_them() {
    assertThat(current()).isEmpty();
    HttpResponse<Buffer> pinned = call(HttpMethod.PUT, "/api/paas/apps/" + app + "/buildpacks", owner.token(), org, updates("python", "static"));
    assertThat(slugs(pinned)).containsExactly("python", "static");
    JsonObject first = pinned.bodyAsJsonObject().getJsonArray("data").getJsonObject(0);
    assertThat(first.getInteger("ordinal")).isZero();
    assertThat(first.getJsonObject("buildpack").getString("url")).isEqualTo("builtin:python");
    assertThat(slugs(call(HttpMethod.GET, "/api/paas/apps/" + app + "/buildpacks", viewer.token(), org, null))).containsExactly("python", "static");

    assertThat(slugs(call(HttpMethod.PUT, "/api/paas/apps/" + app + "/buildpacks", owner.token(), org, updates("static", "python"))))
        .containsExactly("static", "python");
    assertThat(slugs(call(HttpMethod.PUT, "/api/paas/apps/" + app + "/buildpacks", owner.token(), org, updates()))).isEmpty();
    assertThat(current()).isEmpty();
  }

  @Test
  void unknown_inactive_or_repeated_buildpacks_are_refused_and_change_nothing() {
    call(HttpMethod.PUT, "/api/paas/apps/" + app + "/buildpacks", owner.token(), org, updates("nodejs"));
    assertThat(errorCode(call(HttpMethod.PUT, "/api/paas/apps/" + app + "/buildpacks", owner.token(), org, updates("static", "no-such-pack")), 422))
        .isEqualTo("unknown_buildpack");
    // the Heroku git rows V13 retired are in the catalog but not offered
    assertThat(errorCode(call(HttpMethod.PUT, "/api/paas/apps/" + app + "/buildpacks", owner.token(), org, updates("heroku-nodejs")), 422))
        .isEqualTo("unknown_buildpack");
    assertThat(errorCode(call(HttpMethod.PUT, "/api/paas/apps/" + app + "/buildpacks", owner.token(), org, updates("static", "static")), 422))
        .isEqualTo("duplicate_buildpack");
    assertThat(errorCode(call(HttpMethod.PUT, "/api/paas/apps/" + app + "/buildpacks", owner.token(), org,
        new JsonObject().put("updates", new JsonArray().add(new JsonObject().put("buildpack", "Not A Slug")))), 400)).isEqualTo("validation_failed");
    assertThat(current()).containsExactly("nodejs");
    call(HttpMethod.PUT, "/api/paas/apps/" + app + "/buildpacks", owner.token(), org, updates());
  }

  @Test
  void viewers_cannot_pin_and_other_organizations_see_no_app() {
    assertThat(errorCode(call(HttpMethod.PUT, "/api/paas/apps/" + app + "/buildpacks", viewer.token(), org, updates("static")), 403))
        .isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.GET, "/api/paas/apps/" + app + "/buildpacks", stranger.token(), strangerOrg, null), 404))
        .isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.PUT, "/api/paas/apps/" + app + "/buildpacks", stranger.token(), strangerOrg, updates("static")), 404))
        .isEqualTo("not_found");
    // naming the app's organization without belonging to it is no way in either
    assertThat(call(HttpMethod.GET, "/api/paas/apps/" + app + "/buildpacks", stranger.token(), org, null).statusCode()).isIn(403, 404);
    assertThat(current()).doesNotContain("static");
  }
}
