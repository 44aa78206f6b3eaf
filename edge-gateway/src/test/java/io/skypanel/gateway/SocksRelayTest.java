package io.skypanel.gateway;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SOCKS5 conversation and its reply codes, on loopback: the policy allows 127.0.0.1 only, so 127.0.0.2 (also
 * loopback on Linux) stands for a destination outside every attached network.
 */
class SocksRelayTest {

  private static final Inet4Address ALLOWED = ipv4("127.0.0.1");
  private SocksRelay relay;

  @BeforeEach
  void start() throws InterruptedException {
    relay = SocksRelay.start(new InetSocketAddress(ALLOWED, 0), ALLOWED::equals, 2000, 1);
  }

  @AfterEach
  void stop() {
    relay.close();
  }

  @Test
  void relays_both_ways_and_passes_a_half_close_on() throws Exception {
    try (ServerSocket target = new ServerSocket(0, 50, ALLOWED)) {
      // the target reads until the client's end of stream, then answers and closes
      CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
        try (Socket accepted = target.accept()) {
          String request = new String(accepted.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          accepted.getOutputStream().write(("got " + request).getBytes(StandardCharsets.UTF_8));
          return request;
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      try (SocksClient client = SocksClient.open(relay.address())) {
        assertThat(client.connect("127.0.0.1", target.getLocalPort())).isEqualTo(SocksClient.SUCCEEDED);
        client.out.write("hello".getBytes(StandardCharsets.UTF_8));
        client.socket.shutdownOutput();
        assertThat(new String(client.in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("got hello");
      }
      assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
    }
  }

  @Test
  void a_destination_outside_the_allowed_networks_is_refused_with_0x02_and_never_contacted() throws Exception {
    try (ServerSocketChannel outside = ServerSocketChannel.open()) {
      outside.bind(new InetSocketAddress("127.0.0.2", 0));
      outside.configureBlocking(false);
      int port = ((InetSocketAddress) outside.getLocalAddress()).getPort();
      try (SocksClient client = SocksClient.open(relay.address())) {
        assertThat(client.connect("127.0.0.2", port)).isEqualTo(SocksClient.NOT_ALLOWED);
        assertThat(client.closedByRelay()).isTrue();
      }
      // a relay that connected before answering would have left the connection in the accept queue by now
      assertThat(outside.accept()).isNull();
    }
  }

  @Test
  void a_closed_port_is_answered_0x05_at_once() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, ALLOWED)) {
      closedPort = probe.getLocalPort();
    }
    try (SocksClient client = SocksClient.open(relay.address())) {
      long started = System.nanoTime();
      assertThat(client.connect("127.0.0.1", closedPort)).isEqualTo(SocksClient.CONNECTION_REFUSED);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(1000);
    }
  }

  @Test
  void a_destination_that_never_answers_is_0x04_after_the_connect_timeout() throws Exception {
    try (SocksRelay quick = SocksRelay.start(new InetSocketAddress(ALLOWED, 0), ALLOWED::equals, 300, 1);
         ServerSocket deaf = new ServerSocket(0, 1, ALLOWED)) {
      // a listener that never accepts: once its accept queue is full, Linux drops further SYNs unanswered
      List<Socket> queued = fillAcceptQueue(deaf);
      try (SocksClient client = SocksClient.open(quick.address())) {
        long started = System.nanoTime();
        assertThat(client.connect("127.0.0.1", deaf.getLocalPort())).isEqualTo(SocksClient.HOST_UNREACHABLE);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(250L, 1500L);
      } finally {
        for (Socket socket : queued) {
          socket.close();
        }
      }
    }
  }

  @Test
  void only_connect_to_ipv4_literals_is_served() throws Exception {
    try (ServerSocket target = new ServerSocket(0, 50, ALLOWED)) {
      try (SocksClient client = SocksClient.open(relay.address())) {
        assertThat(client.command(0x02, 0x01, new byte[] {127, 0, 0, 1}, target.getLocalPort()))
            .as("BIND").isEqualTo(SocksClient.COMMAND_UNSUPPORTED);
      }
      try (SocksClient client = SocksClient.open(relay.address())) {
        assertThat(client.command(0x01, 0x04, InetAddress.getByName("::1").getAddress(), target.getLocalPort()))
            .as("IPv6").isEqualTo(SocksClient.ADDRESS_UNSUPPORTED);
      }
      try (SocksClient client = SocksClient.open(relay.address())) {
        assertThat(client.connectName("localhost", target.getLocalPort()))
            .as("a name is never resolved").isEqualTo(SocksClient.ADDRESS_UNSUPPORTED);
      }
      try (SocksClient client = SocksClient.open(relay.address())) {
        assertThat(client.connectName("127.0.0.1", target.getLocalPort()))
            .as("an IPv4 literal sent as a name").isEqualTo(SocksClient.SUCCEEDED);
      }
    }
  }

  @Test
  void a_client_without_the_no_authentication_method_is_turned_away() throws Exception {
    try (SocksClient client = SocksClient.raw(relay.address())) {
      assertThat(client.greet(0x02)).isEqualTo(0xFF);
      assertThat(client.closedByRelay()).isTrue();
    }
  }

  @Test
  void the_relay_never_listens_on_the_wildcard_address() {
    assertThat(relay.address().getAddress()).isEqualTo(ALLOWED);
    assertThatThrownBy(() -> SocksRelay.start(new InetSocketAddress(0), ALLOWED::equals, 2000, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<Socket> fillAcceptQueue(ServerSocket deaf) throws IOException {
    List<Socket> queued = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      Socket socket = new Socket();
      try {
        socket.connect(deaf.getLocalSocketAddress(), 200);
        queued.add(socket);
      } catch (SocketTimeoutException full) {
        socket.close();
        return queued;
      }
    }
    throw new IllegalStateException("the accept queue never filled");
  }

  static Inet4Address ipv4(String literal) {
    try {
      return (Inet4Address) InetAddress.getByName(literal);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
