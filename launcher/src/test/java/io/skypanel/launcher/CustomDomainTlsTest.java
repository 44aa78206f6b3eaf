package io.skypanel.launcher;

import io.skypanel.common.db.DatabaseOptions;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.Await;
import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.TestImages;
import io.skypanel.edge.testing.Pebble;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The custom-domain path end to end, whole platform in one JVM against real servers: a container created through
 * the API; a hostname added and verified by a TXT record in pebble-challtestsrv's DNS; a certificate ordered from
 * Debian's Pebble over HTTP-01 answered by the edge; then HTTPS with SNI to the edge validating against Pebble's
 * root (HTTP/2 by ALPN), the container's body behind it, HSTS, and plain HTTP redirected.
 */
class CustomDomainTlsTest {

  private static final String GATEWAY = "skypanel-test-gw-tls-" + java.util.UUID.randomUUID().toString().substring(0, 8);

  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final String HOSTNAME = "shop.customer.test";

  private static Pebble pebble;
  private static DatabaseOptions database;
  private static RunningPlatform platform;
  private static ApiClient api;
  private static int httpPort;
  private static int httpsPort;
  private static String org;

  @BeforeAll
  static void start() throws Exception {
    pebble = new Pebble().startDns();
    httpPort = Pebble.freeTcpAndUdpPort();
    httpsPort = Pebble.freeTcpAndUdpPort();
    database = TestServers.createDatabase();
    JsonObject overrides = new JsonObject()
        .put("DATABASE_URL", "postgres://" + database.user() + ":" + database.password() + "@" + database.host() + ":" + database.port() + "/" + database.database())
        .put("REDIS_URL", TestServers.REDIS_URL)
        .put("SKYPANEL_REDIS_PREFIX", TestServers.redisPrefix())
        .put("SKYPANEL_BIND_HOST", "127.0.0.1")
        .put("SKYPANEL_DATA_DIR", Files.createTempDirectory("skypanel-domains").toString())
        .put("SKYPANEL_BCRYPT_COST", "4")
        .put("SKYPANEL_BASE_DOMAIN", "apps.skypanel.test")
        .put("SKYPANEL_EDGE_GATEWAY_NAME", GATEWAY)
        .put("SKYPANEL_API_PORT", "0").put("SKYPANEL_EXEC_PORT", "0").put("SKYPANEL_LOGS_PORT", "0")
        .put("SKYPANEL_HTTP_PORT", Integer.toString(httpPort)).put("SKYPANEL_HTTPS_PORT", Integer.toString(httpsPort))
        .put("SKYPANEL_EDGE_REDIRECT_HTTPS_PORT", Integer.toString(httpsPort))
        .put("SKYPANEL_DNS_SERVER", pebble.dnsServer())
        .put("SKYPANEL_ACME_DIRECTORY", pebble.directoryUrl())
        .put("SKYPANEL_ACME_TRUST_PEM_FILE", pebble.listenerTrustFile().toString())
        .put("SKYPANEL_ACME_EMAIL", "ops@skypanel.test")
        .put("SKYPANEL_ACME_POLL_MS", "1000");
    platform = Await.result(Launcher.start(overrides));
    // Pebble validates HTTP-01 against the edge's plain port, so it starts once the edge listens
    pebble.startCa(httpPort, Pebble.freeTcpAndUdpPort());
    api = new ApiClient(platform.vertx(), platform.port("control-plane"));
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (platform != null) {
      api.close();
      Await.result(platform.stop());
    }
    TestImages.removeGateway(GATEWAY);
    if (org != null) {
      for (String service : TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.org=" + org).trim().split("\\s+")) {
        if (!service.isBlank()) {
          TestImages.dockerResult("service", "rm", service);
        }
      }
      TestImages.removeOrganizationNetworks(java.util.UUID.fromString(org));
    }
    if (pebble != null) {
      pebble.close();
    }
    if (database != null) {
      TestServers.dropDatabase(database);
    }
  }

  record Answer(HttpClientResponse response, String body) {
  }

  @Test
  void a_verified_custom_domain_gets_a_pebble_certificate_and_is_served_over_https_by_sni() throws Exception {
    ApiClient.Session owner = Await.result(api.newUser("Shop Owner"));
    org = owner.personalOrganizationId();
    TestServers.execute(database, "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'performance') WHERE id = '" + org + "'");
    var created = Await.result(api.post("/api/caas/containers", owner.token(), new JsonObject()
        .put("name", "shop").put("image_ref", TestImages.digestOf(TestImages.web("domain-shop", "hello shop")))
        .put("ports", new JsonArray().add(new JsonObject().put("container_port", 8080)))
        .put("resources", new JsonObject().put("cpu", 0.25).put("memory_mb", 64))));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(202);
    String container = created.bodyAsJsonObject().getString("id");
    Eventually.await("the container running", CONVERGE, () -> {
      JsonObject c = Await.result(api.get("/api/caas/containers/" + container, owner.token())).bodyAsJsonObject();
      return "running".equals(c.getString("status")) && !c.getJsonArray("endpoints").isEmpty() ? c : null;
    });

    var added = Await.result(api.post("/api/caas/containers/" + container + "/domains", owner.token(), new JsonObject().put("hostname", HOSTNAME)));
    assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
    JsonObject domain = added.bodyAsJsonObject();
    assertThat(domain.getString("status")).isEqualTo("pending_verification");
    pebble.setTxt(domain.getJsonObject("verification").getString("name"), domain.getJsonObject("verification").getString("value"));
    var verified = Await.result(api.post("/api/caas/domains/" + domain.getString("id") + "/verify", owner.token(), new JsonObject()));
    assertThat(verified.statusCode()).as(verified.bodyAsString()).isEqualTo(200);
    assertThat(verified.bodyAsJsonObject().getString("status")).isEqualTo("verified");

    JsonObject certificate = Eventually.await("a certificate issued by Pebble", CONVERGE, () -> {
      JsonObject d = Await.result(api.get("/api/caas/domains/" + domain.getString("id"), owner.token())).bodyAsJsonObject();
      JsonObject cert = d.getJsonObject("certificate");
      assertThat(cert.getString("status")).as("certificate state: " + cert).isNotEqualTo("failed");
      return "issued".equals(cert.getString("status")) ? cert : null;
    });
    assertThat(certificate.getString("not_after")).isNotBlank();

    X509Certificate root = pebble.issuingRoot();
    String rootPem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(root.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    HttpClient https = platform.vertx().createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
        .setProtocolVersion(HttpVersion.HTTP_2).setVerifyHost(true).setForceSni(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(rootPem))));
    HttpClient plain = platform.vertx().createHttpClient();
    try {
      // the edge may need a moment to load the new certificate (certificates.changed)
      Answer answer = Eventually.await("HTTPS for " + HOSTNAME + " validating against Pebble's root", Duration.ofSeconds(20), () -> {
        try {
          return Await.result(https.request(new RequestOptions().setServer(SocketAddress.inetSocketAddress(httpsPort, "127.0.0.1"))
                  .setHost(HOSTNAME).setPort(httpsPort).setURI("/"))
              .compose(request -> request.send().compose(response -> response.body().map(body -> new Answer(response, body.toString())))));
        } catch (RuntimeException handshakeFailed) {
          return null;
        }
      });
      HttpClientResponse secure = answer.response();
      assertThat(secure.statusCode()).isEqualTo(200);
      assertThat(secure.version()).as("HTTP/2 by ALPN").isEqualTo(HttpVersion.HTTP_2);
      assertThat(answer.body().trim()).isEqualTo("hello shop");
      assertThat(secure.getHeader("Strict-Transport-Security")).startsWith("max-age=");
      X509Certificate presented = (X509Certificate) secure.request().connection().peerCertificates().get(0);
      assertThat(presented.getSubjectX500Principal().getName() + presented.getSubjectAlternativeNames()).contains(HOSTNAME);

      HttpClientResponse redirect = Await.result(plain.request(new RequestOptions().setServer(SocketAddress.inetSocketAddress(httpPort, "127.0.0.1"))
          .setHost(HOSTNAME).setPort(httpPort).setURI("/cart?x=1")).compose(request -> request.send()));
      assertThat(redirect.statusCode()).isEqualTo(301);
      assertThat(redirect.getHeader("Location")).isEqualTo("https://" + HOSTNAME + ":" + httpsPort + "/cart?x=1");
    } finally {
      Await.result(https.close());
      Await.result(plain.close());
    }
  }
}
