package io.skypanel.gateway;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.skypanel.gateway.SocksRelayTest.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

/** Which destinations the gateway's policy allows, over a scripted list of interfaces and a scripted clock. */
class InterfaceSubnetPolicyTest {

  private static final Subnet BRIDGE = new Subnet("eth0", ipv4("172.30.0.2"), 16);
  private static final Subnet LOOPBACK = new Subnet("lo", ipv4("127.0.0.1"), 8);
  private static final Subnet ORG_A = new Subnet("eth1", ipv4("10.0.5.3"), 24);
  private static final Subnet ORG_B = new Subnet("eth2", ipv4("10.0.9.7"), 24);

  private final List<Subnet> interfaces = new ArrayList<>(List.of(BRIDGE, LOOPBACK, ORG_A));
  private long now;
  private int reads;
  private final InterfaceSubnetPolicy policy = new InterfaceSubnetPolicy(BRIDGE.address(), () -> {
    reads++;
    return List.copyOf(interfaces);
  }, () -> now, 1_000_000_000L);

  @Test
  void addresses_on_an_attached_overlay_network_are_allowed() {
    assertThat(policy.allows(ipv4("10.0.5.20"))).isTrue();
    assertThat(policy.allows(ipv4("10.0.5.254"))).isTrue();
  }

  @Test
  void the_listening_network_loopback_the_gateway_itself_and_everything_else_are_refused() {
    assertThat(policy.allows(ipv4("172.30.0.1"))).as("the bridge (host side)").isFalse();
    assertThat(policy.allows(ipv4("127.0.0.1"))).as("loopback").isFalse();
    assertThat(policy.allows(ipv4("10.0.5.3"))).as("the gateway's own overlay address").isFalse();
    assertThat(policy.allows(ipv4("10.0.6.1"))).as("next to an attached network").isFalse();
    assertThat(policy.allows(ipv4("8.8.8.8"))).as("the Internet").isFalse();
  }

  @Test
  void a_network_connected_later_is_allowed_once_the_cached_interface_list_is_a_second_old() {
    assertThat(policy.allows(ipv4("10.0.9.20"))).isFalse();
    interfaces.add(ORG_B);
    now += 999_000_000L;
    assertThat(policy.allows(ipv4("10.0.9.20"))).as("within the cache second").isFalse();
    now += 1_000_000L;
    assertThat(policy.allows(ipv4("10.0.9.20"))).isTrue();
    assertThat(reads).isEqualTo(2);
  }

  @Test
  void a_network_disconnected_stops_being_allowed_after_the_refresh() {
    assertThat(policy.allows(ipv4("10.0.5.20"))).isTrue();
    interfaces.remove(ORG_A);
    now += 1_000_000_000L;
    assertThat(policy.allows(ipv4("10.0.5.20"))).isFalse();
  }

  @Test
  void every_interface_carrying_the_listen_address_is_excluded_whatever_its_other_addresses() {
    Subnet secondOnBridge = new Subnet("eth0", ipv4("192.168.50.2"), 24);
    interfaces.add(secondOnBridge);
    assertThat(policy.allows(ipv4("192.168.50.9"))).isFalse();
  }

  @Test
  void the_systems_own_interfaces_are_read_without_loopback() {
    assertThat(InterfaceSubnetPolicy.systemInterfaces()).allSatisfy(subnet ->
        assertThat(subnet.address().isLoopbackAddress()).isFalse());
  }

  @Test
  void subnet_membership_follows_the_prefix_length() {
    Subnet narrow = new Subnet("eth3", ipv4("10.1.2.3"), 30);
    assertThat(narrow.contains(ipv4("10.1.2.0"))).isTrue();
    assertThat(narrow.contains(ipv4("10.1.2.4"))).isFalse();
    assertThat(new Subnet("eth4", ipv4("10.1.2.3"), 0).contains(ipv4("200.1.1.1"))).isTrue();
    assertThat(new Subnet("eth5", ipv4("10.1.2.3"), 32).contains(ipv4("10.1.2.2"))).isFalse();
  }
}
