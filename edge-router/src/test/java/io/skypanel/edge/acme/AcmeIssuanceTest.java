package io.skypanel.edge.acme;

import io.skypanel.common.events.Topics;
import io.skypanel.edge.testing.EdgeServer;
import io.skypanel.common.testing.Eventually;
import io.skypanel.edge.testing.Pebble;
import io.skypanel.edge.testing.TestCa;
import io.skypanel.edge.tls.CertifiedKey;
import io.skypanel.edge.tls.PemCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Certificates from a real ACME CA (Debian's Pebble) for a real edge router: Pebble validates against the edge's
 * own listeners, the edge serves what was issued by SNI. The edge's own manager polls only when told (a
 * {@code routes.changed} event); other tests run extra managers as further replicas over the same database and
 * Redis, polled explicitly.
 */
class AcmeIssuanceTest {

  private static final Duration ORDER = Duration.ofSeconds(90);

  private static Vertx vertx;
  private static Pebble pebble;
  private static EdgeServer edge;
  private static X509TrustManager pebbleTrust;
  private static int alpnPort;

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(ORDER.toSeconds(), TimeUnit.SECONDS);
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    pebble = new Pebble().startDns();
    alpnPort = Pebble.freeTcpAndUdpPort();
    edge = await(EdgeServer.start(vertx, new JsonObject()
        .put("SKYPANEL_ACME_DIRECTORY", pebble.directoryUrl())
        .put("SKYPANEL_ACME_TRUST_PEM_FILE", pebble.listenerTrustFile().toString())
        .put("SKYPANEL_ACME_EMAIL", "ops@example.com")
        .put("SKYPANEL_ACME_TLS_ALPN_PORT", Integer.toString(alpnPort))
        .put("SKYPANEL_ACME_POLL_MS", "3600000")
        .put("SKYPANEL_EDGE_CERT_RESYNC_MS", "3600000")));
    pebble.startCa(edge.httpPort(), alpnPort);
    pebbleTrust = trusting(pebble.issuingRoot());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (edge != null) {
        await(edge.stop(vertx));
      }
    } finally {
      if (pebble != null) {
        pebble.close();
      }
      await(vertx.close());
    }
  }

  // -------------------------------------------------------------------------------------------------------------

  @Test
  void issues_certificate_over_http01_and_serves_it_by_sni() throws Exception {
    String host = "web-" + suffix() + ".example.com";
    edge.verifiedDomain(host);
    // a domain was verified: the control plane announces its routes, and the edge's own manager orders
    await(edge.platform().events().publish(Topics.ROUTES_CHANGED, new JsonObject().put("container_id", UUID.randomUUID().toString())));
    Map<String, Object> row = Eventually.await("the certificate of " + host, ORDER, () -> {
      Map<String, Object> domain = domain(host);
      return "issued".equals(domain.get("cert_status")) ? domain : null;
    });
    assertThat((String) row.get("cert_issuer")).contains("Pebble Intermediate");
    assertThat((Integer) row.get("cert_attempts")).isZero();
    assertThat(row.get("cert_next_attempt_at")).isNull();
    assertThat((String) row.get("cert_private_key_sealed")).startsWith("v1:").doesNotContain("PRIVATE KEY");
    X509Certificate stored = PemCodec.chain((String) row.get("cert_chain_pem"))[0];
    assertThat(instant(row.get("cert_not_after"))).isEqualTo(stored.getNotAfter().toInstant());

    X509Certificate served = Eventually.await("the edge presenting the new certificate", Duration.ofSeconds(20),
        () -> handshake(host, pebbleTrust));
    assertThat(served).isEqualTo(stored);
    // a name without a certificate gets the default one, which no public root vouches for
    assertThatThrownBy(() -> handshake("nobody-" + suffix() + ".example.com", pebbleTrust)).isInstanceOf(SSLHandshakeException.class);

    String metrics = edge.metrics().registry().scrape();
    assertThat(metrics).contains("skypanel_edge_certificate_not_after_seconds{host=\"" + host + "\"}");
    assertThat(metrics).containsPattern("skypanel_edge_acme_orders_total\\{outcome=\"issued\"\\} [1-9]");
    // the responder answers only tokens it holds
    HttpResponse<String> unknown = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + edge.httpPort() + "/.well-known/acme-challenge/not-a-token")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  @Test
  void issues_over_tls_alpn01() throws Exception {
    String host = "alpn-" + suffix() + ".example.com";
    edge.verifiedDomain(host);
    CertificateManager replica = manager(Map.of("SKYPANEL_ACME_CHALLENGE", "tls-alpn-01"));
    try {
      Map<String, CertificateManager.Outcome> outcomes = await(replica.poll());
      assertThat(outcomes).containsEntry(host, CertificateManager.Outcome.ISSUED);
      assertThat(domain(host).get("cert_status")).isEqualTo("issued");
      X509Certificate served = Eventually.await("the edge presenting the new certificate", Duration.ofSeconds(20),
          () -> handshake(host, pebbleTrust));
      assertThat(served.getSubjectAlternativeNames()).anySatisfy(name -> assertThat(name.get(1)).isEqualTo(host));
    } finally {
      await(replica.stop());
    }
  }

  @Test
  void failed_order_backs_off_and_records_reason() throws Exception {
    String host = "down-" + suffix() + ".example.com";
    pebble.mapHost(host, "127.0.0.2"); // nothing listens there: the validator's connection is refused
    edge.verifiedDomain(host);
    CertificateManager replica = manager(Map.of());
    try {
      Instant before = Instant.now();
      assertThat(await(replica.poll())).containsEntry(host, CertificateManager.Outcome.FAILED);
      Map<String, Object> row = domain(host);
      assertThat(row.get("cert_status")).isEqualTo("failed");
      assertThat((Integer) row.get("cert_attempts")).isEqualTo(1);
      assertThat((String) row.get("cert_status_reason")).contains("http-01 validation of " + host + " failed").containsIgnoringCase("refused");
      assertThat(instant(row.get("cert_next_attempt_at")))
          .isBetween(before.plusSeconds(59), Instant.now().plusSeconds(61));

      assertThat(await(replica.poll())).as("backing off").doesNotContainKey(host);

      // three failures already recorded and the wait is over: the next failure waits 60 s · 2^3
      edge.update("UPDATE paas_domains SET cert_attempts = 3, cert_next_attempt_at = now() - interval '1 second' WHERE lower(hostname) = ?", host);
      Instant again = Instant.now();
      assertThat(await(replica.poll())).containsEntry(host, CertificateManager.Outcome.FAILED);
      row = domain(host);
      assertThat((Integer) row.get("cert_attempts")).isEqualTo(4);
      assertThat(instant(row.get("cert_next_attempt_at")))
          .isBetween(again.plusSeconds(479), Instant.now().plusSeconds(481));
      assertThat(edge.metrics().registry().scrape()).containsPattern("skypanel_edge_acme_orders_total\\{outcome=\"failed\"\\} [2-9]");
    } finally {
      await(replica.stop());
    }
  }

  @Test
  void only_one_replica_orders_a_hostname() throws Exception {
    String host = "busy-" + suffix() + ".example.com";
    edge.verifiedDomain(host);
    CertificateManager first = manager(Map.of());
    CertificateManager second = manager(Map.of());
    var platform = edge.platform();
    HostLock otherReplica = new HostLock(platform.redisApi(), platform.redisPrefix(), Duration.ofMinutes(1));
    try {
      double issuedBefore = issuedCount();
      // a third replica holds the name: nobody else orders it, and a lease is released only by its holder
      HostLock.Lease held = await(otherReplica.tryAcquire(host));
      assertThat(held).isNotNull();
      assertThat(await(first.poll())).containsEntry(host, CertificateManager.Outcome.LOCKED);
      assertThat(await(second.poll())).containsEntry(host, CertificateManager.Outcome.LOCKED);
      assertThat(await(otherReplica.release(new HostLock.Lease(held.key(), "someone-else")))).isFalse();
      assertThat(await(otherReplica.tryAcquire(host))).as("still held").isNull();
      assertThat(domain(host).get("cert_status")).isEqualTo("none");
      assertThat(await(otherReplica.release(held))).isTrue();

      // both replicas at once: exactly one order
      Future<Map<String, CertificateManager.Outcome>> a = first.poll();
      Future<Map<String, CertificateManager.Outcome>> b = second.poll();
      // absent: that replica's query ran after the other had finished, so the name was no longer due
      List<CertificateManager.Outcome> outcomes = List.of(
          await(a).getOrDefault(host, CertificateManager.Outcome.NOT_DUE), await(b).getOrDefault(host, CertificateManager.Outcome.NOT_DUE));
      assertThat(outcomes).containsOnlyOnce(CertificateManager.Outcome.ISSUED);
      assertThat(issuedCount() - issuedBefore).isEqualTo(1.0);
      assertThat(domain(host).get("cert_status")).isEqualTo("issued");
    } finally {
      await(first.stop());
      await(second.stop());
    }
  }

  @Test
  void defers_without_counting_a_failure_when_the_hourly_order_budget_is_spent() throws Exception {
    String one = "budget-a-" + suffix() + ".example.com";
    String two = "budget-b-" + suffix() + ".example.com";
    edge.verifiedDomain(one);
    edge.verifiedDomain(two);
    // one order per hour for the account, shared with every other test's orders: at most one of two gets through
    CertificateManager replica = manager(Map.of("SKYPANEL_ACME_ORDERS_PER_HOUR", "1"));
    try {
      Instant now = Instant.now();
      Map<String, CertificateManager.Outcome> outcomes = await(replica.poll());
      String deferred = outcomes.get(one) == CertificateManager.Outcome.DEFERRED ? one : two;
      assertThat(outcomes).containsEntry(deferred, CertificateManager.Outcome.DEFERRED);
      Map<String, Object> row = domain(deferred);
      assertThat(row.get("cert_status")).isEqualTo("none");
      assertThat((Integer) row.get("cert_attempts")).isZero();
      assertThat((String) row.get("cert_status_reason")).contains("budget");
      // the start of the next clock hour
      Instant next = instant(row.get("cert_next_attempt_at"));
      assertThat(next).isAfter(now).isBeforeOrEqualTo(now.plus(Duration.ofHours(1)));
      assertThat(next.getEpochSecond() % 3600).isZero();
      assertThat(await(replica.poll())).as("waiting for the next hour").doesNotContainKey(deferred);
    } finally {
      await(replica.stop());
    }
  }

  @Test
  void renews_when_a_third_of_lifetime_is_left() throws Exception {
    TestCa earlierCa = new TestCa("earlier CA");
    String due = "renew-" + suffix() + ".example.com";
    String fresh = "fresh-" + suffix() + ".example.com";
    Instant now = Instant.now();
    // 90-day certificates: one 70 days old (renewal point at day 60 passed), one 10 days old
    CertifiedKey old = storeIssued(due, earlierCa, now.minus(Duration.ofDays(70)), now.plus(Duration.ofDays(20)), "issued");
    CertifiedKey young = storeIssued(fresh, earlierCa, now.minus(Duration.ofDays(10)), now.plus(Duration.ofDays(80)), "renewing");
    X509TrustManager earlierTrust = trusting(earlierCa.root());
    assertThat(Eventually.await("the stored certificate served", Duration.ofSeconds(20), () -> handshake(due, earlierTrust)))
        .isEqualTo(old.chain()[0]);
    assertThat(Eventually.await("a certificate in renewal still served", Duration.ofSeconds(20), () -> handshake(fresh, earlierTrust)))
        .isEqualTo(young.chain()[0]);

    CertificateManager replica = manager(Map.of());
    try {
      Map<String, CertificateManager.Outcome> outcomes = await(replica.poll());
      assertThat(outcomes).containsEntry(due, CertificateManager.Outcome.ISSUED).doesNotContainKey(fresh);
      Map<String, Object> row = domain(due);
      assertThat(row.get("cert_status")).isEqualTo("issued");
      assertThat((String) row.get("cert_issuer")).contains("Pebble");
      assertThat(instant(row.get("cert_not_after"))).isAfter(now.plus(Duration.ofDays(365)));
      Eventually.await("the renewed certificate served", Duration.ofSeconds(20), () -> handshake(due, pebbleTrust));
      assertThat(domain(fresh).get("cert_status")).isEqualTo("renewing");
    } finally {
      await(replica.stop());
    }
  }

  // -------------------------------------------------------------------------------------------------------------

  /** A further replica's manager over the edge's database and Redis, polled only by the test. */
  private static CertificateManager manager(Map<String, String> settings) throws Exception {
    var merged = edge.platform().settings();
    for (Map.Entry<String, String> setting : settings.entrySet()) {
      merged = merged.with(setting.getKey(), setting.getValue());
    }
    AcmeOptions options = AcmeOptions.from(merged);
    var platform = edge.platform();
    CertificateManager manager = new CertificateManager(vertx, platform, options,
        new ChallengeStore(platform.redisApi(), platform.redisPrefix(), options.challengeTtl()));
    await(manager.open());
    return manager;
  }

  private static CertifiedKey storeIssued(String host, TestCa ca, Instant notBefore, Instant notAfter, String status) throws Exception {
    CertifiedKey key = ca.issue(host, notBefore, notAfter);
    UUID id = edge.verifiedDomain(host);
    edge.update("UPDATE paas_domains SET cert_status = ?, cert_issuer = 'earlier CA', cert_not_before = ?, cert_not_after = ?, "
            + "cert_chain_pem = ?, cert_private_key_sealed = ? WHERE id = ?",
        status, OffsetDateTime.ofInstant(notBefore, java.time.ZoneOffset.UTC), OffsetDateTime.ofInstant(notAfter, java.time.ZoneOffset.UTC),
        PemCodec.chainPem(List.of(key.chain())), edge.platform().secrets().encrypt(PemCodec.privateKeyPem(key.privateKey())), id);
    await(edge.platform().events().publish(Topics.CERTIFICATES_CHANGED, new JsonObject().put("hostname", host)));
    return key;
  }

  private static Map<String, Object> domain(String host) {
    return edge.row("SELECT cert_status, cert_status_reason, cert_issuer, cert_not_before, cert_not_after, cert_chain_pem, "
        + "cert_private_key_sealed, cert_attempts, cert_next_attempt_at FROM paas_domains WHERE lower(hostname) = ?", host);
  }

  private static Instant instant(Object timestamp) {
    return ((java.sql.Timestamp) timestamp).toInstant();
  }

  private static double issuedCount() {
    var counter = edge.metrics().registry().find("skypanel.edge.acme.orders").tag("outcome", "issued").counter();
    return counter == null ? 0 : counter.count();
  }

  /** The leaf the edge's HTTPS listener presents for {@code serverName}, verified against {@code trust} and the name. */
  private static X509Certificate handshake(String serverName, X509TrustManager trust) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {trust}, null);
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", edge.httpsPort()), 5000);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, serverName, edge.httpsPort(), true)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(5000);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  private static X509TrustManager trusting(X509Certificate root) throws Exception {
    KeyStore anchors = KeyStore.getInstance("PKCS12");
    anchors.load(null, null);
    anchors.setCertificateEntry("root", root);
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(anchors);
    return (X509TrustManager) factory.getTrustManagers()[0];
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
