package io.skypanel.launcher;

import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.Await;
import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.TestImages;
import io.skypanel.edge.testing.Pebble;
import io.skypanel.launcher.support.WholePlatform;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final String HOSTNAME = "shop.customer.test";

  private static Pebble pebble;
  private static WholePlatform platform;
  private static ApiClient api;
  private static int httpPort;
  private static int httpsPort;

  @BeforeAll
  static void start() throws Exception {
    pebble = new Pebble().startDns();
    httpPort = Pebble.freeTcpAndUdpPort();
    httpsPort = Pebble.freeTcpAndUdpPort();
    platform = WholePlatform.builder("tls")
        .set("SKYPANEL_HTTP_PORT", httpPort).set("SKYPANEL_HTTPS_PORT", httpsPort)
        .set("SKYPANEL_EDGE_REDIRECT_HTTPS_PORT", httpsPort)
        .set("SKYPANEL_DNS_SERVER", pebble.dnsServer())
        .set("SKYPANEL_ACME_DIRECTORY", pebble.directoryUrl())
        .set("SKYPANEL_ACME_TRUST_PEM_FILE", pebble.listenerTrustFile())
        .set("SKYPANEL_ACME_EMAIL", "ops@skypanel.test")
        .set("SKYPANEL_ACME_POLL_MS", 1000)
        .start();
    // Pebble validates HTTP-01 against the edge's plain port, so it starts once the edge listens
    pebble.startCa(httpPort, Pebble.freeTcpAndUdpPort());
    api = platform.api();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    try {
      if (platform != null) {
        platform.close();
      }
    } finally {
      if (pebble != null) {
        pebble.close();
      }
    }
  }

  record Answer(HttpClientResponse response, String body) {
  }

  @Test
  void a_verified_custom_domain_gets_a_pebble_certificate_and_is_served_over_https_by_sni() throws Exception {
    ApiClient.Session owner = platform.newUser("Shop Owner");
    platform.usePlan(owner.personalOrganizationId(), "performance");
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
