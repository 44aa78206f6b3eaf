package io.skypanel.controlplane.caas.domains;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which resolver domain checks ask, and how a lookup's answer is read. */
class DnsServerTest {

  @Test
  void parses_ip_and_port_with_53_by_default() {
    assertThat(DnsServer.parse("10.0.0.2:5353")).isEqualTo(new DnsServer("10.0.0.2", 5353));
    assertThat(DnsServer.parse(" 10.0.0.2 ")).isEqualTo(new DnsServer("10.0.0.2", 53));
    assertThat(DnsServer.parse("[2001:db8::53]:5300")).isEqualTo(new DnsServer("2001:db8::53", 5300));
    assertThat(DnsServer.parse("2001:db8::53")).isEqualTo(new DnsServer("2001:db8::53", 53));
    assertThat(DnsServer.parse("[::1]")).isEqualTo(new DnsServer("::1", 53));
  }

  @Test
  void refuses_names_and_bad_ports_naming_the_setting() {
    for (String bad : List.of("dns.example.com:53", "10.0.0.2:0", "10.0.0.2:65536", "10.0.0.2:dns", "[::1", "[::1]53", "")) {
      assertThatThrownBy(() -> DnsServer.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SKYPANEL_DNS_SERVER");
    }
  }

  @Test
  void takes_the_first_usable_nameserver_of_resolv_conf() {
    String conf = """
        # generated
        search example.internal
        options ndots:2
        nameserver fe80::1%eth0
        nameserver 10.255.255.53
        nameserver 10.255.255.54
        """;
    assertThat(DnsServer.fromResolvConf(conf)).isEqualTo(new DnsServer("10.255.255.53", 53));
    assertThat(DnsServer.fromResolvConf("search example.internal\n")).isNull();
    assertThat(DnsServer.LOCAL).isEqualTo(new DnsServer("127.0.0.1", 53));
  }

  @Test
  void a_txt_answer_verifies_only_with_the_token_among_its_values() {
    String name = "_skypanel-challenge.shop.example";
    assertThat(DnsTxtVerifier.compare(name, List.of("v=spf1 -all", " token-123 "), "token-123").verified()).isTrue();

    DnsTxtVerifier.Check none = DnsTxtVerifier.compare(name, List.of(), "token-123");
    assertThat(none.verified()).isFalse();
    assertThat(none.problem()).contains("no TXT record").contains(name);

    DnsTxtVerifier.Check other = DnsTxtVerifier.compare(name, List.of("old-token", "x".repeat(200)), "token-123");
    assertThat(other.verified()).isFalse();
    assertThat(other.problem()).contains("\"old-token\"").contains("2 values").doesNotContain("x".repeat(81));
  }
}
