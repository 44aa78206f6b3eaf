package io.skypanel.common.web;

import io.skypanel.common.config.Settings;
import io.netty.util.NetUtil;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The addresses allowed to say who the client is ({@code SKYPANEL_TRUSTED_PROXIES}: IP addresses and CIDR ranges,
 * default loopback and a single {@code SKYPANEL_BIND_HOST} address, where the edge router of this host connects from;
 * {@code none} trusts nobody).
 * A request from anywhere else is from the peer itself, whatever X-Forwarded-For it carries. Addresses are parsed
 * as IP literals only: no name is ever looked up.
 */
public final class TrustedProxies {

  public static final String SETTING = "SKYPANEL_TRUSTED_PROXIES";
  public static final List<String> DEFAULT = List.of("127.0.0.0/8", "::1/128");

  private final List<Range> ranges;

  private TrustedProxies(List<Range> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  public static TrustedProxies from(Settings settings) {
    List<String> configured = settings.list(SETTING, null);
    if (configured != null) {
      return of(configured);
    }
    List<String> defaults = new ArrayList<>(DEFAULT);
    String bind = settings.optional("SKYPANEL_BIND_HOST");
    if (bind != null && parse(bind) != null && !bind.equals("0.0.0.0") && !bind.equals("::")) {
      defaults.add(bind); // the edge of this host dials its siblings at the one address they listen on
    }
    return of(defaults);
  }

  /** @throws IllegalArgumentException for an entry that is neither an IP address nor a CIDR range */
  public static TrustedProxies of(List<String> entries) {
    List<Range> ranges = new ArrayList<>();
    for (String entry : entries) {
      if (entry.equalsIgnoreCase("none")) {
        continue;
      }
      ranges.add(Range.parse(entry));
    }
    return new TrustedProxies(ranges);
  }

  /** Whether {@code address} (an IP literal) is one of the trusted proxies. */
  public boolean trusts(String address) {
    byte[] bytes = parse(address);
    if (bytes == null) {
      return false;
    }
    for (Range range : ranges) {
      if (range.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client behind {@code peer}: the peer itself unless it is trusted; then, walking X-Forwarded-For from the
   * right (the entry the nearest proxy appended), the first address that is not a trusted proxy. A malformed entry
   * stops the walk at the last good one, so a client cannot hide behind garbage.
   *
   * @param forwardedFor every X-Forwarded-For value in order (each possibly a comma-separated list)
   */
  public String clientAddress(String peer, List<String> forwardedFor) {
    if (peer == null || !trusts(peer) || forwardedFor.isEmpty()) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String value : forwardedFor) {
      for (String hop : value.split(",")) {
        hops.add(hop.trim());
      }
    }
    String client = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = literal(hops.get(i));
      if (hop == null) {
        return client;
      }
      client = hop;
      if (!trusts(hop)) {
        return hop;
      }
    }
    return client;
  }

  /** An X-Forwarded-For entry as an IP literal (brackets and a port removed), or null when it is not one. */
  static String literal(String hop) {
    String text = hop.trim();
    if (text.startsWith("[")) {
      int end = text.indexOf(']');
      text = end > 0 ? text.substring(1, end) : text;
    } else if (text.indexOf(':') > 0 && text.indexOf(':') == text.lastIndexOf(':') && text.indexOf('.') > 0) {
      text = text.substring(0, text.indexOf(':')); // IPv4 with a port
    }
    return parse(text) == null ? null : text.toLowerCase(Locale.ROOT);
  }

  /** The address's bytes (IPv4-mapped IPv6 as IPv4), or null when it is not an IP literal. */
  static byte[] parse(String address) {
    if (address == null || address.isEmpty()) {
      return null;
    }
    String text = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    int zone = text.indexOf('%');
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(zone >= 0 ? text.substring(0, zone) : text);
    if (bytes != null && bytes.length == 16 && isIpv4Mapped(bytes)) {
      return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
    }
    return bytes;
  }

  private static boolean isIpv4Mapped(byte[] bytes) {
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
  }

  /** An address and prefix length. */
  private record Range(byte[] network, int prefix) {

    static Range parse(String entry) {
      int slash = entry.indexOf('/');
      byte[] network = TrustedProxies.parse(slash < 0 ? entry : entry.substring(0, slash));
      if (network == null) {
        throw new IllegalArgumentException(SETTING + ": '" + entry + "' is not an IP address or CIDR range");
      }
      int prefix = network.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > network.length * 8) {
          throw new IllegalArgumentException(SETTING + ": '" + entry + "' has an invalid prefix length");
        }
      }
      return new Range(network, prefix);
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int whole = prefix / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[whole] & mask) == (network[whole] & mask);
    }
  }
}
