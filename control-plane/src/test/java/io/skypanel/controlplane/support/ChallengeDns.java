package io.skypanel.controlplane.support;

import io.skypanel.common.testing.Eventually;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real DNS server for custom domain checks: Let's Encrypt's {@code pebble-challtestsrv} (Debian package pebble) on
 * free loopback ports, whose TXT records a test sets through its management API ({@link #setTxt}). As a JUnit
 * extension it starts before {@link ApiTestBase} starts the control plane (an extension's beforeAll runs first) and
 * points the platform at it through system properties (also the base domain {@value #BASE_DOMAIN} and a fast
 * background re-check), cleared again after the class.
 */
public final class ChallengeDns implements BeforeAllCallback, AfterAllCallback {

  /** The platform's base domain while the extension runs. */
  public static final String BASE_DOMAIN = "apps.skypanel.test";

  private static final String BINARY = "/usr/bin/pebble-challtestsrv";
  private static final List<String> KEYS = List.of("SKYPANEL_DNS_SERVER", "SKYPANEL_BASE_DOMAIN", "SKYPANEL_DOMAIN_RECHECK_MS");
  private static Process process;
  private static Path log;
  private static int managementPort;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    assertThat(Path.of(BINARY)).as("pebble-challtestsrv (apt-get install pebble)").isExecutable();
    int dnsPort = freeTcpAndUdpPort();
    managementPort = freeTcpAndUdpPort();
    List<String> command = new ArrayList<>(List.of(BINARY, "-dns01", "127.0.0.1:" + dnsPort, "-management", "127.0.0.1:" + managementPort,
        "-http01", "", "-https01", "", "-tlsalpn01", ""));
    if (supportsDoh()) {
      command.addAll(List.of("-doh", ""));
    }
    log = Files.createTempFile("challtestsrv-", ".log");
    process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Eventually.await("pebble-challtestsrv to listen (log " + log + ")", Duration.ofSeconds(20), () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("pebble-challtestsrv exited: " + read(log));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), managementPort), 500);
        return true;
      } catch (IOException e) {
        return null;
      }
    });
    System.setProperty("SKYPANEL_DNS_SERVER", "127.0.0.1:" + dnsPort);
    System.setProperty("SKYPANEL_BASE_DOMAIN", BASE_DOMAIN);
    // the background re-check runs here (fast), so a test can see it verify a domain on its own
    System.setProperty("SKYPANEL_DOMAIN_RECHECK_MS", "1000");
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    KEYS.forEach(System::clearProperty);
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (log != null) {
      Files.deleteIfExists(log);
    }
  }

  private static boolean supportsDoh() throws Exception {
    Process help = new ProcessBuilder(BINARY, "-h").redirectErrorStream(true).start();
    String usage = new String(help.getInputStream().readAllBytes());
    help.waitFor(10, TimeUnit.SECONDS);
    return usage.contains("-doh");
  }

  /** A loopback port free for both TCP and UDP right now (the DNS server binds both). */
  private static int freeTcpAndUdpPort() throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port;
      try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = tcp.getLocalPort();
      }
      try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
        return port;
      } catch (IOException taken) {
        // UDP side in use: try another
      }
    }
    throw new IllegalStateException("no free TCP+UDP loopback port");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Publishes {@code value} as the TXT record {@code _skypanel-challenge.<hostname>}. */
  public static void setTxt(String hostname, String value) {
    manage("/set-txt", new JsonObject().put("host", "_skypanel-challenge." + hostname + ".").put("value", value));
  }

  /** Removes the TXT records of {@code _skypanel-challenge.<hostname>}. */
  public static void clearTxt(String hostname) {
    manage("/clear-txt", new JsonObject().put("host", "_skypanel-challenge." + hostname + "."));
  }

  private static void manage(String path, JsonObject body) {
    try {
      var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
          .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("challtestsrv %s: %s", path, response.body()).isEqualTo(200);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
