package io.skypanel.gateway;

import org.junit.jupiter.api.Test;

import static io.skypanel.gateway.SocksRelayTest.ipv4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gateway's command line: one IPv4 address to listen on, never the wildcard. */
class GatewayOptionsTest {

  @Test
  void an_interface_name_binds_that_interfaces_ipv4_address() throws Exception {
    GatewayOptions options = GatewayOptions.parse("--listen-interface", "lo", "--port", "1080");
    assertThat(options.bindAddress()).isEqualTo(ipv4("127.0.0.1"));
    assertThat(options.port()).isEqualTo(1080);
    assertThat(options.connectTimeoutMillis()).isEqualTo(2000);
  }

  @Test
  void an_explicit_address_and_port_are_taken_as_given() throws Exception {
    GatewayOptions options = GatewayOptions.parse("--listen", "127.0.0.1:1999", "--connect-timeout-ms", "500", "--threads", "1");
    assertThat(options.bindAddress()).isEqualTo(ipv4("127.0.0.1"));
    assertThat(options.port()).isEqualTo(1999);
    assertThat(options.connectTimeoutMillis()).isEqualTo(500);
    assertThat(options.threads()).isEqualTo(1);
  }

  @Test
  void the_wildcard_a_name_or_no_listen_option_at_all_is_refused() {
    assertThatThrownBy(() -> GatewayOptions.parse("--listen", "0.0.0.0:1080").bindAddress())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GatewayOptions.parse("--listen", "localhost:1080").bindAddress())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GatewayOptions.parse("--port", "1080")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GatewayOptions.parse("--listen-interface", "no-such-nic0").bindAddress())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
