package io.skypanel.controlplane.caas.domains;

import io.netty.util.NetUtil;

/**
 * The DNS resolver domain checks ask: an IP address and a port. It is given as {@code SKYPANEL_DNS_SERVER}
 * ({@code host:port}, {@code host}, {@code [v6]:port} or a bare IPv6 address; the port defaults to 53), or read
 * from the first {@code nameserver} line of {@code /etc/resolv.conf}. Only IP addresses are accepted: looking the
 * resolver itself up by name would need a resolver (and would block while doing so).
 */
public record DnsServer(String host, int port) {

  public static final int DEFAULT_PORT = 53;
  /** When neither the setting nor resolv.conf names a resolver: a local one, never a public resolver. */
  public static final DnsServer LOCAL = new DnsServer("127.0.0.1", DEFAULT_PORT);

  public DnsServer {
    if (!isIp(host)) {
      throw new IllegalArgumentException("the DNS server must be an IP address, got '" + host + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("the DNS server port must be 1-65535, got " + port);
    }
  }

  /** Parses {@code SKYPANEL_DNS_SERVER}; an {@link IllegalArgumentException} names what is wrong. */
  public static DnsServer parse(String value) {
    String text = value.trim();
    try {
      if (text.startsWith("[")) {
        int end = text.indexOf(']');
        if (end < 0) {
          throw new IllegalArgumentException("missing ']'");
        }
        String rest = text.substring(end + 1);
        if (!rest.isEmpty() && !rest.startsWith(":")) {
          throw new IllegalArgumentException("expected ':<port>' after ']'");
        }
        return new DnsServer(text.substring(1, end), rest.isEmpty() ? DEFAULT_PORT : Integer.parseInt(rest.substring(1)));
      }
      if (NetUtil.isValidIpV6Address(text)) {
        return new DnsServer(text, DEFAULT_PORT);
      }
      int colon = text.lastIndexOf(':');
      return colon < 0 ? new DnsServer(text, DEFAULT_PORT) : new DnsServer(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("SKYPANEL_DNS_SERVER must be <ip>:<port> (or <ip>, port 53), e.g. 10.0.0.2:53 or [2001:db8::53]:53; '"
          + value + "': " + e.getMessage(), e);
    }
  }

  /** The first usable {@code nameserver} of a resolv.conf text, or null when it names none. */
  public static DnsServer fromResolvConf(String text) {
    for (String line : text.split("\n")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length >= 2 && fields[0].equals("nameserver")) {
        // a link-local IPv6 resolver carries its interface as %scope, which the client cannot address: skip it
        if (isIp(fields[1])) {
          return new DnsServer(fields[1], DEFAULT_PORT);
        }
      }
    }
    return null;
  }

  private static boolean isIp(String host) {
    // no %scope: the DNS client cannot address a link-local resolver through its interface
    return host != null && host.indexOf('%') < 0 && (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host));
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
