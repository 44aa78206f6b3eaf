package io.skypanel.controlplane.caas.domains;

import io.skypanel.common.events.Topics;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.ChallengeDns;
import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Custom domains through the API, verified against a real DNS server: Let's Encrypt's {@code pebble-challtestsrv}
 * (Debian package pebble) on free loopback ports, whose TXT records the tests set through its management API. Each
 * organization has one container with no replicas (a real Swarm service without tasks).
 */
@ExtendWith(ChallengeDns.class)
class DomainsApiTest extends ApiTestBase {

  private static final String BASE_DOMAIN = ChallengeDns.BASE_DOMAIN;
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final Queue<String> ROUTE_CHANGES = new ConcurrentLinkedQueue<>();
  private static final List<String> ORGANIZATIONS = new ArrayList<>();
  private static final List<Owned> CONTAINERS = new ArrayList<>();

  private static ApiClient.Session ownerA;
  private static ApiClient.Session viewerA;
  private static ApiClient.Session ownerB;
  private static String orgA;
  private static String orgB;
  private static String containerA;
  private static String containerB;

  // --- setup -----------------------------------------------------------------------------------------

  @BeforeAll
  static void organizationsWithOneContainerEach() {
    ownerA = newUser("Domain Owner A");
    orgA = organization(ownerA, "Domains A");
    viewerA = newUser("Domain Viewer A");
    addMember(ownerA, orgA, viewerA, "viewer");
    ownerB = newUser("Domain Owner B");
    orgB = organization(ownerB, "Domains B");
    containerA = container(ownerA, orgA);
    containerB = container(ownerB, orgB);
    await(server.platform().events().subscribe(Topics.ROUTES_CHANGED, event -> ROUTE_CHANGES.add(event.getString("container_id"))));
  }

  /**
   * Deletes the containers through the API while the platform runs (its reconciler tears the services down and would
   * recreate any removed behind its back), then removes whatever a failed deletion left, and the organizations' networks.
   */
  @AfterAll
  static void removeContainersServicesAndNetworks() throws InterruptedException {
    for (Owned container : CONTAINERS) {
      call(HttpMethod.DELETE, "/api/caas/containers/" + container.id(), container.owner().token(), container.org(), null);
    }
    for (Owned container : CONTAINERS) {
      try {
        Eventually.await("container " + container.id() + " deleted", CONVERGE, () -> call(HttpMethod.GET, "/api/caas/containers/" + container.id(),
            container.owner().token(), container.org(), null).statusCode() == 404 ? true : null);
      } catch (AssertionError e) {
        // removed below by label
      }
    }
    for (String org : ORGANIZATIONS) {
      String services = TestImages.dockerResult("service", "ls", "-q", "--filter", "label=skypanel.org=" + org).out();
      for (String id : services.split("\\s+")) {
        if (!id.isBlank()) {
          TestImages.dockerResult("service", "rm", id);
        }
      }
      TestImages.removeOrganizationNetworks(java.util.UUID.fromString(org.toString()));
    }
  }

  /** A container and who may delete it. */
  private record Owned(String id, ApiClient.Session owner, String org) {
  }

  /** An organization on the performance plan (room for many domains), remembered for cleanup. */
  private static String organization(ApiClient.Session owner, String name) {
    String id = createOrganization(owner, name + " " + UUID.randomUUID().toString().substring(0, 6)).getString("id");
    TestServers.execute(server.database(), "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'performance') WHERE id = '" + id + "'");
    ORGANIZATIONS.add(id);
    return id;
  }

  /** A container with zero replicas: a real Swarm service, but no task to start. */
  private static String container(ApiClient.Session owner, String org) {
    JsonObject body = new JsonObject().put("name", "web-" + UUID.randomUUID().toString().substring(0, 6))
        .put("image_ref", TestImages.digestOf(TestImages.busybox())).put("replicas", 0)
        .put("resources", new JsonObject().put("cpu", 0.25).put("memory_mb", 64));
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/caas/containers", owner.token(), org, body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(202);
    String id = created.bodyAsJsonObject().getString("id");
    CONTAINERS.add(new Owned(id, owner, org));
    // settled: the reconciler announces no more route changes of its own for it
    Eventually.await("container " + id + " settled", CONVERGE, () -> {
      String status = call(HttpMethod.GET, "/api/caas/containers/" + id, owner.token(), org, null).bodyAsJsonObject().getString("status");
      return "pending".equals(status) || "deploying".equals(status) ? null : status;
    });
    return id;
  }

  // --- helpers -------------------------------------------------------------------------------------

  private static String hostname(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + ".shop.example";
  }

  private static HttpResponse<Buffer> add(ApiClient.Session who, String org, String container, String hostname) {
    return call(HttpMethod.POST, "/api/caas/containers/" + container + "/domains", who.token(), org, new JsonObject().put("hostname", hostname));
  }

  private static JsonObject added(ApiClient.Session who, String org, String container, String hostname) {
    HttpResponse<Buffer> response = add(who, org, container, hostname);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> verify(ApiClient.Session who, String org, String domainId) {
    return call(HttpMethod.POST, "/api/caas/domains/" + domainId + "/verify", who.token(), org, null);
  }

  private static HttpResponse<Buffer> get(ApiClient.Session who, String org, String domainId) {
    return call(HttpMethod.GET, "/api/caas/domains/" + domainId, who.token(), org, null);
  }

  private static void setTxt(String hostname, String value) {
    ChallengeDns.setTxt(hostname, value);
  }

  private static void clearTxt(String hostname) {
    ChallengeDns.clearTxt(hostname);
  }

  private static long sql(String query) {
    var db = server.database();
    try (var connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
         var statement = connection.createStatement();
         var rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long rowsFor(String hostname) {
    return sql("SELECT count(*) FROM paas_domains WHERE hostname = '" + hostname + "'");
  }

  private static List<JsonObject> activity(ApiClient.Session who, String org, String action, String targetId) {
    HttpResponse<Buffer> page = call(HttpMethod.GET, "/api/activity?limit=100&action=" + action, who.token(), org, null);
    assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
    return page.bodyAsJsonObject().getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(entry -> action.equals(entry.getString("action")) && targetId.equals(entry.getString("target_id"))).toList();
  }

  private static void awaitRouteChange(String containerId) {
    Eventually.await("routes.changed for container " + containerId, Duration.ofSeconds(10), () -> ROUTE_CHANGES.contains(containerId) ? true : null);
  }

  // --- tests ---------------------------------------------------------------------------------------

  @Test
  void a_new_domain_is_pending_with_a_txt_challenge_and_an_activity_row() {
    String hostname = hostname("new");
    JsonObject domain = added(ownerA, orgA, containerA, hostname.toUpperCase() + ".");

    assertThat(domain.getString("hostname")).isEqualTo(hostname);
    assertThat(domain.getString("container_id")).isEqualTo(containerA);
    assertThat(domain.getString("status")).isEqualTo("pending_verification");
    JsonObject verification = domain.getJsonObject("verification");
    assertThat(verification.getString("type")).isEqualTo("TXT");
    assertThat(verification.getString("name")).isEqualTo("_skypanel-challenge." + hostname);
    assertThat(verification.getString("value")).hasSizeGreaterThanOrEqualTo(32).matches("[A-Za-z0-9_-]+");
    assertThat(domain.getString("verified_at")).isNull();
    assertThat(domain.getString("last_checked_at")).isNull();
    assertThat(domain.getJsonObject("certificate").getString("status")).isEqualTo("none");
    assertThat(domain.encode()).doesNotContain("cert_chain").doesNotContain("private_key");

    JsonObject read = get(ownerA, orgA, domain.getString("id")).bodyAsJsonObject();
    assertThat(read.getString("hostname")).isEqualTo(hostname);
    assertThat(read.getJsonObject("verification")).isEqualTo(verification);
    HttpResponse<Buffer> list = call(HttpMethod.GET, "/api/caas/containers/" + containerA + "/domains", viewerA.token(), orgA, null);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.bodyAsJsonObject().getJsonArray("data").stream().map(d -> ((JsonObject) d).getString("id"))).contains(domain.getString("id"));

    List<JsonObject> created = activity(ownerA, orgA, "caas.domain.create", domain.getString("id"));
    assertThat(created).singleElement().satisfies(entry -> {
      assertThat(entry.getString("user_id")).isEqualTo(ownerA.userId());
      assertThat(entry.getJsonObject("metadata").getString("hostname")).isEqualTo(hostname);
    });
  }

  @Test
  void verify_without_a_record_is_422_and_the_check_is_recorded() {
    JsonObject domain = added(ownerA, orgA, containerA, hostname("norecord"));

    HttpResponse<Buffer> failed = verify(ownerA, orgA, domain.getString("id"));
    assertThat(errorCode(failed, 422)).isEqualTo("verification_failed");
    assertThat(failed.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("no TXT record").contains(domain.getJsonObject("verification").getString("name"));

    // committed although the call answered 422
    JsonObject stored = get(ownerA, orgA, domain.getString("id")).bodyAsJsonObject();
    assertThat(stored.getString("status")).isEqualTo("pending_verification");
    assertThat(stored.getString("last_checked_at")).isNotNull();
    assertThat(stored.getString("verification_error")).contains("no TXT record");
    assertThat(activity(ownerA, orgA, "caas.domain.verify", domain.getString("id")))
        .anySatisfy(entry -> assertThat(entry.getJsonObject("metadata").getString("result")).isEqualTo("failed"));
  }

  @Test
  void verify_with_another_value_is_422_saying_what_was_found() {
    String hostname = hostname("wrong");
    JsonObject domain = added(ownerA, orgA, containerA, hostname);
    setTxt(hostname, "not-the-token-value");

    HttpResponse<Buffer> failed = verify(ownerA, orgA, domain.getString("id"));
    assertThat(errorCode(failed, 422)).isEqualTo("verification_failed");
    assertThat(failed.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("\"not-the-token-value\"");
    assertThat(get(ownerA, orgA, domain.getString("id")).bodyAsJsonObject().getString("verification_error")).contains("not-the-token-value");
    clearTxt(hostname);
  }

  @Test
  void verify_with_the_token_verifies_and_tells_the_edge_routers() {
    String hostname = hostname("right");
    JsonObject domain = added(ownerA, orgA, containerA, hostname);
    String id = domain.getString("id");
    ROUTE_CHANGES.clear();
    setTxt(hostname, domain.getJsonObject("verification").getString("value"));

    HttpResponse<Buffer> verified = verify(ownerA, orgA, id);
    assertThat(verified.statusCode()).as(verified.bodyAsString()).isEqualTo(200);
    JsonObject body = verified.bodyAsJsonObject();
    assertThat(body.getString("status")).isEqualTo("verified");
    assertThat(body.getString("verified_at")).isNotNull();
    assertThat(body.getString("verification_error")).isNull();
    awaitRouteChange(containerA);
    assertThat(activity(ownerA, orgA, "caas.domain.verify", id))
        .anySatisfy(entry -> assertThat(entry.getJsonObject("metadata").getString("result")).isEqualTo("verified"));
    assertThat(sql("SELECT count(*) FROM paas_domains WHERE id = '" + id + "' AND verified_at IS NOT NULL")).isEqualTo(1);

    // once verified, the record may go: verifying again answers the domain as it is
    clearTxt(hostname);
    HttpResponse<Buffer> again = verify(ownerA, orgA, id);
    assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getString("verified_at")).isEqualTo(body.getString("verified_at"));
  }

  @Test
  void a_pending_domain_is_verified_by_the_background_check() {
    String hostname = hostname("background");
    JsonObject domain = added(ownerA, orgA, containerA, hostname);
    setTxt(hostname, domain.getJsonObject("verification").getString("value"));

    JsonObject verified = Eventually.await("background verification of " + hostname, Duration.ofSeconds(30), () -> {
      JsonObject current = get(ownerA, orgA, domain.getString("id")).bodyAsJsonObject();
      return "verified".equals(current.getString("status")) ? current : null;
    });
    assertThat(verified.getString("verified_at")).isNotNull();
    clearTxt(hostname);
  }

  @Test
  void rejects_hostname_claimed_by_another_org() {
    String hostname = hostname("claimed");
    JsonObject domain = added(ownerA, orgA, containerA, hostname);
    setTxt(hostname, domain.getJsonObject("verification").getString("value"));
    assertThat(verify(ownerA, orgA, domain.getString("id")).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> taken = add(ownerB, orgB, containerB, hostname);
    assertThat(errorCode(taken, 409)).isEqualTo("hostname_taken");
    assertThat(taken.bodyAsString()).doesNotContain(orgA).doesNotContain(containerA).doesNotContain(domain.getString("id"))
        .doesNotContain("Domains A");
    assertThat(rowsFor(hostname)).isEqualTo(1);
    clearTxt(hostname);
  }

  @Test
  void a_verification_race_lost_to_another_org_is_409_hostname_taken() {
    String hostname = hostname("race");
    JsonObject mine = added(ownerB, orgB, containerB, hostname);
    JsonObject theirs = added(ownerA, orgA, containerA, hostname);
    setTxt(hostname, theirs.getJsonObject("verification").getString("value"));
    assertThat(verify(ownerA, orgA, theirs.getString("id")).statusCode()).isEqualTo(200);

    // B proves control too, but A was first: the unique index on verified names decides
    setTxt(hostname, mine.getJsonObject("verification").getString("value"));
    HttpResponse<Buffer> lost = verify(ownerB, orgB, mine.getString("id"));
    assertThat(errorCode(lost, 409)).isEqualTo("hostname_taken");
    JsonObject stored = get(ownerB, orgB, mine.getString("id")).bodyAsJsonObject();
    assertThat(stored.getString("status")).isEqualTo("pending_verification");
    assertThat(stored.getString("last_checked_at")).isNotNull();
    assertThat(stored.getString("verification_error")).contains("another organization");
    clearTxt(hostname);
  }

  @Test
  void another_org_cannot_see_list_verify_or_delete_the_domain() {
    JsonObject domain = added(ownerA, orgA, containerA, hostname("private"));
    String id = domain.getString("id");

    assertThat(errorCode(get(ownerB, orgB, id), 404)).isEqualTo("not_found");
    assertThat(errorCode(verify(ownerB, orgB, id), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.DELETE, "/api/caas/domains/" + id, ownerB.token(), orgB, null), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.GET, "/api/caas/containers/" + containerA + "/domains", ownerB.token(), orgB, null), 404)).isEqualTo("not_found");
    assertThat(errorCode(add(ownerB, orgB, containerA, hostname("intruder")), 404)).isEqualTo("not_found");
    // naming A's organization without being a member is the same 404
    assertThat(errorCode(get(ownerB, orgA, id), 404)).isEqualTo("not_found");

    assertThat(get(ownerA, orgA, id).statusCode()).isEqualTo(200);
  }

  @Test
  void a_viewer_reads_but_cannot_add_verify_or_delete() {
    JsonObject domain = added(ownerA, orgA, containerA, hostname("viewer"));
    String id = domain.getString("id");

    assertThat(get(viewerA, orgA, id).statusCode()).isEqualTo(200);
    assertThat(errorCode(add(viewerA, orgA, containerA, hostname("by-viewer")), 403)).isEqualTo("forbidden");
    assertThat(errorCode(verify(viewerA, orgA, id), 403)).isEqualTo("forbidden");
    assertThat(errorCode(call(HttpMethod.DELETE, "/api/caas/domains/" + id, viewerA.token(), orgA, null), 403)).isEqualTo("forbidden");
    assertThat(get(ownerA, orgA, id).statusCode()).isEqualTo(200);
  }

  @Test
  void a_read_only_token_cannot_add_a_domain() {
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/auth/tokens", ownerA.token(),
        new JsonObject().put("name", "read only").put("scopes", new JsonArray().add("read")));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String readOnly = created.bodyAsJsonObject().getString("token");
    ApiClient.Session reader = new ApiClient.Session(ownerA.email(), readOnly, ownerA.userId(), ownerA.personalOrganizationId());

    String hostname = hostname("readonly");
    assertThat(errorCode(add(reader, orgA, containerA, hostname), 403)).isEqualTo("forbidden");
    assertThat(call(HttpMethod.GET, "/api/caas/containers/" + containerA + "/domains", readOnly, orgA, null).statusCode()).isEqualTo(200);
    assertThat(rowsFor(hostname)).isZero();
  }

  @Test
  void reserved_wildcard_ip_and_malformed_hostnames_are_422_and_create_nothing() {
    long before = sql("SELECT count(*) FROM paas_domains WHERE organization_id = '" + orgA + "'");

    assertThat(errorCode(add(ownerA, orgA, containerA, "shop." + BASE_DOMAIN), 422)).isEqualTo("reserved_hostname");
    assertThat(errorCode(add(ownerA, orgA, containerA, BASE_DOMAIN.toUpperCase()), 422)).isEqualTo("reserved_hostname");
    HttpResponse<Buffer> wildcard = add(ownerA, orgA, containerA, "*.shop.example");
    assertThat(errorCode(wildcard, 422)).isEqualTo("wildcard_not_supported");
    assertThat(wildcard.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("HTTP-01");
    assertThat(errorCode(add(ownerA, orgA, containerA, "192.0.2.7"), 422)).isEqualTo("ip_address_not_allowed");
    assertThat(errorCode(add(ownerA, orgA, containerA, "under_score.shop.example"), 422)).isEqualTo("invalid_hostname");
    assertThat(errorCode(add(ownerA, orgA, containerA, "localhost"), 422)).isEqualTo("invalid_hostname");

    assertThat(sql("SELECT count(*) FROM paas_domains WHERE organization_id = '" + orgA + "'")).isEqualTo(before);
  }

  @Test
  void the_same_hostname_twice_in_one_org_is_409_domain_exists() {
    String hostname = hostname("twice");
    added(ownerA, orgA, containerA, hostname);
    assertThat(errorCode(add(ownerA, orgA, containerA, hostname.toUpperCase()), 409)).isEqualTo("domain_exists");
    assertThat(rowsFor(hostname)).isEqualTo(1);
  }

  @Test
  void the_plan_limits_custom_domains() {
    // a plan allowing exactly what the organization has now
    String slug = "tight-" + UUID.randomUUID().toString().substring(0, 8);
    TestServers.execute(server.database(), """
        INSERT INTO paas_plans (slug, name, price_hourly, price_monthly, cpu, memory_mb, disk_gb, max_replicas, max_apps, max_containers,
                                max_volumes, max_volume_gb, max_domains)
        SELECT '%s', 'Tight', price_hourly, price_monthly, cpu, memory_mb, disk_gb, max_replicas, max_apps, max_containers, max_volumes,
               max_volume_gb, (SELECT count(*) FROM paas_domains WHERE organization_id = '%s')
          FROM paas_plans WHERE slug = 'performance'""".formatted(slug, orgB));
    TestServers.execute(server.database(), "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = '" + slug + "') WHERE id = '" + orgB + "'");
    try {
      long before = sql("SELECT count(*) FROM paas_domains WHERE organization_id = '" + orgB + "'");
      HttpResponse<Buffer> refused = add(ownerB, orgB, containerB, hostname("quota"));
      assertThat(errorCode(refused, 422)).isEqualTo("quota_exceeded");
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("max_domains").contains(slug);
      assertThat(sql("SELECT count(*) FROM paas_domains WHERE organization_id = '" + orgB + "'")).isEqualTo(before);
    } finally {
      TestServers.execute(server.database(), "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'performance') WHERE id = '" + orgB + "'");
    }
  }

  @Test
  void the_same_idempotency_key_adds_once_and_replays_the_answer() {
    String hostname = hostname("idempotent");
    String key = "add-" + UUID.randomUUID();
    JsonObject body = new JsonObject().put("hostname", hostname);
    HttpResponse<Buffer> first = await(api.request(HttpMethod.POST, "/api/caas/containers/" + containerA + "/domains", ownerA.token())
        .putHeader("X-Organization-Id", orgA).putHeader("Idempotency-Key", key).sendJsonObject(body));
    HttpResponse<Buffer> second = await(api.request(HttpMethod.POST, "/api/caas/containers/" + containerA + "/domains", ownerA.token())
        .putHeader("X-Organization-Id", orgA).putHeader("Idempotency-Key", key).sendJsonObject(body));

    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
    assertThat(second.statusCode()).isEqualTo(201);
    assertThat(second.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(second.bodyAsJsonObject().getString("id")).isEqualTo(first.bodyAsJsonObject().getString("id"));
    assertThat(rowsFor(hostname)).isEqualTo(1);
  }

  @Test
  void deleting_a_domain_is_204_frees_the_hostname_and_tells_the_edge_routers() {
    String hostname = hostname("delete");
    JsonObject domain = added(ownerA, orgA, containerA, hostname);
    String id = domain.getString("id");
    setTxt(hostname, domain.getJsonObject("verification").getString("value"));
    assertThat(verify(ownerA, orgA, id).statusCode()).isEqualTo(200);
    clearTxt(hostname);
    ROUTE_CHANGES.clear();

    HttpResponse<Buffer> deleted = call(HttpMethod.DELETE, "/api/caas/domains/" + id, ownerA.token(), orgA, null);
    assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(204);
    awaitRouteChange(containerA);
    assertThat(errorCode(get(ownerA, orgA, id), 404)).isEqualTo("not_found");
    assertThat(errorCode(call(HttpMethod.DELETE, "/api/caas/domains/" + id, ownerA.token(), orgA, null), 404)).isEqualTo("not_found");
    assertThat(activity(ownerA, orgA, "caas.domain.delete", id)).singleElement()
        .satisfies(entry -> assertThat(entry.getJsonObject("metadata").getString("hostname")).isEqualTo(hostname));
    // no longer anyone's: another organization may add it now
    assertThat(add(ownerB, orgB, containerB, hostname).statusCode()).isEqualTo(201);
  }

  @Test
  void deleting_the_container_removes_its_domains_and_tells_the_edge_routers() {
    ApiClient.Session ownerC = newUser("Domain Owner C");
    String orgC = organization(ownerC, "Domains C");
    String containerC = container(ownerC, orgC);
    String hostname = hostname("cascade");
    JsonObject domain = added(ownerC, orgC, containerC, hostname);
    setTxt(hostname, domain.getJsonObject("verification").getString("value"));
    assertThat(verify(ownerC, orgC, domain.getString("id")).statusCode()).isEqualTo(200);
    clearTxt(hostname);
    ROUTE_CHANGES.clear();

    assertThat(call(HttpMethod.DELETE, "/api/caas/containers/" + containerC, ownerC.token(), orgC, null).statusCode()).isEqualTo(202);
    Eventually.await("container " + containerC + " deleted", CONVERGE, () ->
        call(HttpMethod.GET, "/api/caas/containers/" + containerC, ownerC.token(), orgC, null).statusCode() == 404 ? true : null);
    assertThat(rowsFor(hostname)).isZero();
    assertThat(errorCode(get(ownerC, orgC, domain.getString("id")), 404)).isEqualTo("not_found");
    awaitRouteChange(containerC);
  }
}
