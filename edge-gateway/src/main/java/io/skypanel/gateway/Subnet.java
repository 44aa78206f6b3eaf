package io.skypanel.gateway;

import java.net.Inet4Address;

/**
 * One IPv4 address of one network interface with its prefix length, e.g. {@code eth1 10.0.3.5/24}: the
 * overlay network that interface is attached to.
 */
public record Subnet(String interfaceName, Inet4Address address, int prefixLength) {

  public Subnet {
    if (prefixLength < 0 || prefixLength > 32) {
      throw new IllegalArgumentException("IPv4 prefix length out of range: " + prefixLength);
    }
  }

  /** True when {@code candidate} lies inside this subnet (the interface's own address included). */
  public boolean contains(Inet4Address candidate) {
    int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    return (toInt(address) & mask) == (toInt(candidate) & mask);
  }

  static int toInt(Inet4Address address) {
    byte[] b = address.getAddress();
    return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
  }

  @Override
  public String toString() {
    return interfaceName + " " + address.getHostAddress() + "/" + prefixLength;
  }
}
