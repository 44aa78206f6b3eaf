package io.skypanel.edge.tls;

import io.skypanel.common.config.Settings;
import io.skypanel.edge.testing.TestCa;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The HTTPS listener's per-handshake certificate choice over real TLS: a Vert.x server configured exactly as the
 * edge's ({@link EdgeTls#secure}), clients with SNI, certificates from a test CA.
 */
@ExtendWith(VertxExtension.class)
class SniKeyManagerTest {

  private static final int HOSTS = 1_200;

  private final TestCa ca = new TestCa("SNI test CA");
  private CertificateStore store;
  private CertifiedKey defaultCertificate;
  private HttpServer server;
  private final Map<X509TrustManager, SSLContext> contexts = new HashMap<>();
  private Vertx vertx;

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    defaultCertificate = DefaultCertificate.load(new Settings(new JsonObject()));
    store = new CertificateStore(defaultCertificate);
    HttpServerOptions options = EdgeTls.secure(new HttpServerOptions().setHost("127.0.0.1").setPort(0), new SniKeyManager(store));
    server = await(vertx.createHttpServer(options)
        .requestHandler(request -> request.response().end(request.version().name()))
        .listen());
  }

  @AfterEach
  void stop() throws Exception {
    await(server.close());
  }

  /** Handshakes as a client asking for {@code serverName}, verifying against {@code trust} and the name. */
  private X509Certificate handshake(String serverName, X509TrustManager trust) throws Exception {
    SSLContext context = contexts.get(trust);
    if (context == null) {
      context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trust}, null);
      contexts.put(trust, context);
    }
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", server.actualPort()), 5000);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, serverName, server.actualPort(), true)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm(trust instanceof TrustAll ? null : "HTTPS");
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(5000);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  private X509TrustManager trustingCa() throws Exception {
    KeyStore anchors = KeyStore.getInstance("PKCS12");
    anchors.load(null, null);
    anchors.setCertificateEntry("ca", ca.root());
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(anchors);
    return (X509TrustManager) factory.getTrustManagers()[0];
  }

  @Test
  void serves_each_of_a_thousand_and_more_hostnames_its_own_certificate() throws Exception {
    Map<String, CertifiedKey> certificates = new HashMap<>();
    for (int i = 0; i < HOSTS; i++) {
      certificates.put("host-" + i + ".example.test", ca.issue("host-" + i + ".example.test"));
    }
    store.replaceAll(certificates);
    X509TrustManager trust = trustingCa();
    for (int i = 0; i < HOSTS; i++) {
      String host = "host-" + i + ".example.test";
      X509Certificate presented = handshake(host, trust);
      assertThat(presented.getSerialNumber()).as(host).isEqualTo(certificates.get(host).chain()[0].getSerialNumber());
    }
    assertThat(store.hasCertificate("HOST-7.example.test")).isTrue();
    assertThat(store.hasCertificate("elsewhere.example.test")).isFalse();
  }

  @Test
  void an_unknown_name_gets_the_default_certificate_and_fails_verification() throws Exception {
    store.put("known.example.test", ca.issue("known.example.test"));
    X509Certificate presented = handshake("stranger.example.test", new TrustAll());
    assertThat(presented).isEqualTo(defaultCertificate.chain()[0]);
    X509TrustManager trust = trustingCa();
    assertThatThrownBy(() -> handshake("stranger.example.test", trust)).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
  }

  @Test
  void a_replaced_certificate_is_presented_by_the_next_handshake_without_restarting_the_listener() throws Exception {
    X509TrustManager trust = trustingCa();
    CertifiedKey first = ca.issue("swap.example.test");
    store.put("swap.example.test", first);
    assertThat(handshake("swap.example.test", trust)).isEqualTo(first.chain()[0]);
    CertifiedKey second = ca.issue("swap.example.test");
    store.put("swap.example.test", second);
    assertThat(handshake("swap.example.test", trust)).isEqualTo(second.chain()[0]);
    store.remove("swap.example.test");
    assertThat(handshake("swap.example.test", new TrustAll())).isEqualTo(defaultCertificate.chain()[0]);
  }

  @Test
  void a_wildcard_certificate_covers_one_level_below_it_and_an_exact_one_wins() throws Exception {
    X509TrustManager trust = trustingCa();
    CertifiedKey wildcard = ca.issue("*.shop.example.test");
    CertifiedKey exact = ca.issue("admin.shop.example.test");
    store.put("*.shop.example.test", wildcard);
    store.put("admin.shop.example.test", exact);
    assertThat(handshake("eu.shop.example.test", trust)).isEqualTo(wildcard.chain()[0]);
    assertThat(handshake("admin.shop.example.test", trust)).isEqualTo(exact.chain()[0]);
  }

  @Test
  void http2_is_negotiated_by_alpn_with_the_hostnames_certificate() throws Exception {
    store.put("h2.example.test", ca.issue("h2.example.test"));
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
        .setProtocolVersion(HttpVersion.HTTP_2).setVerifyHost(true).setForceSni(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca.rootPem()))));
    try {
      // the body is read in the same chain as the answer: read later, it may already have gone by
      Buffer[] body = new Buffer[1];
      HttpClientResponse response = await(client.request(new RequestOptions()
              .setServer(SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.1"))
              .setHost("h2.example.test").setPort(server.actualPort()).setURI("/"))
          .compose(request -> request.send().compose(answer -> answer.body().map(bytes -> {
            body[0] = bytes;
            return answer;
          }))));
      assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(body[0].toString()).isEqualTo("HTTP_2");
      assertThat(response.request().connection().peerCertificates().get(0)).isEqualTo(store.byAlias(store.alias("h2.example.test", "EC")).chain()[0]);
    } finally {
      await(client.close());
    }
  }

  /** Accepts any server, to look at what an unknown name is presented. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
