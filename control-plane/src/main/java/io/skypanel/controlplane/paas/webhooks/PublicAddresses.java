package io.skypanel.controlplane.paas.webhooks;

import io.skypanel.common.errors.ApiException;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * The SSRF rule of webhook repositories: the control plane only fetches from {@code http}, {@code https} or
 * {@code git} URLs whose host resolves to public addresses only, never loopback, private (RFC 1918, unique local
 * IPv6), link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast or unspecified ones. Checked when
 * the webhook is created and again right before each fetch (a name may be re-pointed). A test-only setting lets
 * tests fetch from a {@code git daemon} on loopback. Resolving is blocking: worker threads only.
 */
public final class PublicAddresses {

  private static final Set<String> SCHEMES = Set.of("http", "https", "git");

  private final boolean allowPrivate;

  public PublicAddresses(boolean allowPrivate) {
    this.allowPrivate = allowPrivate;
  }

  /** The URL's syntax only (no lookup), for the request's validation. */
  public static URI parse(String url) {
    try {
      URI uri = new URI(url);
      if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme().toLowerCase(Locale.ROOT)) || uri.getHost() == null) {
        throw invalid("repository_url must be an http, https or git URL with a host");
      }
      if (uri.getUserInfo() != null) {
        throw invalid("repository_url must not carry credentials");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw invalid("repository_url is not a URL");
    }
  }

  /** Fails with 422 unless every address of the URL's host is public (or private hosts are allowed). */
  public void check(String url) {
    URI uri = parse(url);
    if (allowPrivate) {
      return;
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(uri.getHost());
    } catch (UnknownHostException e) {
      throw invalid("the host of repository_url does not resolve");
    }
    for (InetAddress address : addresses) {
      if (!isPublic(address)) {
        throw invalid("repository_url must point at a public address, not " + address.getHostAddress());
      }
    }
  }

  static boolean isPublic(InetAddress address) {
    if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()
        || address.isMulticastAddress()) {
      return false;
    }
    byte[] bytes = address.getAddress();
    if (address instanceof Inet6Address) {
      // fc00::/7 unique local; ::ffff:a.b.c.d is judged by its IPv4 address
      if ((bytes[0] & 0xfe) == 0xfc) {
        return false;
      }
      return true;
    }
    int first = bytes[0] & 0xff;
    int second = bytes[1] & 0xff;
    // 100.64/10 carrier-grade NAT, 0/8 "this network", 192.0.0/24 protocol assignments, 198.18/15 benchmarking
    return !(first == 0 || (first == 100 && second >= 64 && second < 128) || (first == 192 && second == 0 && (bytes[2] & 0xff) == 0)
        || (first == 198 && (second == 18 || second == 19)) || first >= 240);
  }

  private static ApiException invalid(String message) {
    return ApiException.unprocessable("repository_url_not_allowed", message);
  }
}
