package io.skypanel.edge.testing;

import io.skypanel.common.testing.Eventually;
import io.vertx.core.json.JsonObject;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's Pebble (a test ACME CA) and pebble-challtestsrv (its DNS) as child processes on free loopback ports.
 * challtestsrv answers every A query with 127.0.0.1 (so Pebble's validator reaches the edge under test) unless a
 * test maps a name elsewhere; Pebble validates HTTP-01 on {@code httpPort} and TLS-ALPN-01 on {@code tlsPort}.
 * Its own HTTPS uses a certificate from a {@link TestCa}, whose root the ACME client is told to trust.
 */
public final class Pebble implements AutoCloseable {

  private final List<Process> processes = new ArrayList<>();
  private final Path directory;
  private final TestCa ca = new TestCa("Pebble listener test CA");
  private final HttpClient http;
  private int dnsPort;
  private int managementPort;
  private int acmePort;
  private int pebbleManagementPort;
  private String root;

  public Pebble() throws Exception {
    directory = Files.createTempDirectory("skypanel-pebble");
    KeyStore anchors = KeyStore.getInstance("PKCS12");
    anchors.load(null, null);
    anchors.setCertificateEntry("ca", ca.root());
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(anchors);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    http = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(2)).build();
    // chosen up front so the edge can be configured with the directory before Pebble (which needs the edge's ports) runs
    dnsPort = freeTcpAndUdpPort();
    managementPort = freeTcpAndUdpPort();
    acmePort = freeTcpAndUdpPort();
    pebbleManagementPort = freeTcpAndUdpPort();
  }

  /** Starts the DNS first: the edge must be listening before Pebble learns its ports. */
  public Pebble startDns() throws Exception {
    start(List.of("/usr/bin/pebble-challtestsrv", "-dns01", "127.0.0.1:" + dnsPort, "-management", "127.0.0.1:" + managementPort,
        "-http01", "", "-https01", "", "-tlsalpn01", "", "-defaultIPv6", ""), "challtestsrv");
    Eventually.await("challtestsrv management", Duration.ofSeconds(20),
        () -> post("/set-default-ipv4", new JsonObject().put("ip", "127.0.0.1")) == 200 ? true : null);
    return this;
  }

  /** Pebble, validating against {@code httpPort} (HTTP-01) and {@code tlsPort} (TLS-ALPN-01) on 127.0.0.1. */
  public Pebble startCa(int httpPort, int tlsPort) throws Exception {
    Path[] files = ca.writeServerFiles(directory);
    JsonObject config = new JsonObject().put("pebble", new JsonObject()
        .put("listenAddress", "127.0.0.1:" + acmePort)
        .put("managementListenAddress", "127.0.0.1:" + pebbleManagementPort)
        .put("certificate", files[0].toString())
        .put("privateKey", files[1].toString())
        .put("httpPort", httpPort)
        .put("tlsPort", tlsPort)
        .put("ocspResponderURL", "")
        .put("externalAccountBindingRequired", false));
    Path configFile = directory.resolve("pebble-config.json");
    Files.writeString(configFile, config.encodePrettily());
    start(List.of("/usr/bin/pebble", "-config", configFile.toString(), "-dnsserver", "127.0.0.1:" + dnsPort), "pebble");
    root = Eventually.await("Pebble's root certificate", Duration.ofSeconds(30), () -> {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + pebbleManagementPort + "/roots/0"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : null;
    });
    return this;
  }

  /** Where the ACME directory is (once {@link #startCa} ran). */
  public String directoryUrl() {
    return "https://127.0.0.1:" + acmePort + "/dir";
  }

  /** The PEM file holding the root of Pebble's own HTTPS certificate, for {@code SKYPANEL_ACME_TRUST_PEM_FILE}. */
  public Path listenerTrustFile() throws IOException {
    Path file = directory.resolve("listener-root.pem");
    Files.writeString(file, ca.rootPem());
    return file;
  }

  /** The root Pebble issues certificates under (fetched from its management interface). */
  public X509Certificate issuingRoot() throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(root.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The DNS server's address, {@code host:port}, for {@code SKYPANEL_DNS_SERVER}. */
  public String dnsServer() {
    return "127.0.0.1:" + dnsPort;
  }

  /** Publishes a TXT record (e.g. a domain verification token) in the DNS. */
  public void setTxt(String name, String value) throws Exception {
    int status = post("/set-txt", new JsonObject().put("host", name.endsWith(".") ? name : name + ".").put("value", value));
    if (status != 200) {
      throw new IllegalStateException("challtestsrv /set-txt answered " + status);
    }
  }

  /** Makes the DNS answer {@code host} with {@code address} (e.g. one where nothing listens). */
  public void mapHost(String host, String address) throws Exception {
    int status = post("/add-a", new JsonObject().put("host", host).put("addresses", List.of(address)));
    if (status != 200) {
      throw new IllegalStateException("challtestsrv /add-a answered " + status);
    }
  }

  private int post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
        .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private void start(List<String> command, String name) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(directory.resolve(name + ".log").toFile());
    builder.environment().put("PEBBLE_VA_NOSLEEP", "1");
    builder.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
    // every order validates for real: no reuse of an earlier authorization of the same name
    builder.environment().put("PEBBLE_AUTHZREUSE", "0");
    processes.add(builder.start());
  }

  /** The log of {@code pebble} or {@code challtestsrv}, for failure messages. */
  public String log(String name) {
    try {
      return Files.readString(directory.resolve(name + ".log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** A port free for both TCP and UDP on 127.0.0.1 right now (DNS binds both). */
  public static int freeTcpAndUdpPort() throws IOException {
    for (int i = 0; i < 50; i++) {
      try (ServerSocket tcp = new ServerSocket()) {
        tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = tcp.getLocalPort();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
          return port;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    throw new IOException("no free port");
  }

  @Override
  public void close() {
    for (Process process : processes) {
      process.destroy();
    }
    for (Process process : processes) {
      try {
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
