package io.skypanel.controlplane.caas.domains;

import io.netty.util.NetUtil;
import io.skypanel.common.errors.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules a custom hostname must pass before it is stored: a lowercase DNS name of at least two labels and at
 * most 253 characters, not an IP address, not a wildcard, and not under the platform's own base domain. Every
 * refusal is a 422 with its own code, so clients can tell the customer exactly what to change.
 */
public final class Hostnames {

  /** Longest DNS name in presentation form, without the trailing dot (RFC 1035 2.3.4). */
  static final int MAX_LENGTH = 253;
  private static final int MAX_LABEL = 63;
  private static final Pattern LABEL = Pattern.compile("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$");
  private static final Pattern NUMERIC = Pattern.compile("^[0-9]+$");

  private Hostnames() {
  }

  /**
   * The stored form of {@code raw} (trimmed, lowercase, without a trailing dot), or a 422:
   * {@code invalid_hostname}, {@code ip_address_not_allowed}, {@code wildcard_not_supported} or
   * {@code reserved_hostname}.
   */
  public static String normalize(String raw, String baseDomain) {
    if (raw == null || raw.isBlank()) {
      throw invalid("invalid_hostname", "hostname is required");
    }
    String name = raw.trim().toLowerCase(Locale.ROOT);
    if (name.endsWith(".") && !name.endsWith("..")) {
      // the absolute form "shop.example." names the same host
      name = name.substring(0, name.length() - 1);
    }
    if (name.contains("*")) {
      throw invalid("wildcard_not_supported", "wildcard hostnames are not supported: certificates are issued with the ACME HTTP-01 "
          + "challenge, which cannot issue wildcard certificates; add each hostname separately");
    }
    String unbracketed = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
    if (NetUtil.isValidIpV4Address(unbracketed) || NetUtil.isValidIpV6Address(unbracketed)) {
      throw invalid("ip_address_not_allowed", "'" + name + "' is an IP address; a custom domain must be a DNS name such as shop.example.com");
    }
    if (!name.chars().allMatch(c -> c < 128)) {
      throw invalid("invalid_hostname", "hostname must be ASCII; enter an internationalised name in its punycode (xn--) form");
    }
    if (name.length() > MAX_LENGTH) {
      throw invalid("invalid_hostname", "hostname is longer than " + MAX_LENGTH + " characters");
    }
    String[] labels = name.split("\\.", -1);
    if (labels.length < 2) {
      throw invalid("invalid_hostname", "hostname needs at least two labels, such as shop.example.com");
    }
    for (String label : labels) {
      if (label.isEmpty()) {
        throw invalid("invalid_hostname", "hostname has an empty label (two dots in a row, or a leading dot)");
      }
      if (label.length() > MAX_LABEL) {
        throw invalid("invalid_hostname", "label '" + label.substring(0, 20) + "...' is longer than " + MAX_LABEL + " characters");
      }
      if (!LABEL.matcher(label).matches()) {
        throw invalid("invalid_hostname", "label '" + label + "' may only contain letters, digits and hyphens, and may not start or end with a hyphen");
      }
    }
    if (NUMERIC.matcher(labels[labels.length - 1]).matches()) {
      throw invalid("invalid_hostname", "the last label of a hostname cannot be all digits");
    }
    String base = baseDomain.toLowerCase(Locale.ROOT);
    if (name.equals(base) || name.endsWith("." + base)) {
      throw invalid("reserved_hostname", "names under " + base + " belong to the platform (every container already has a default domain there); "
          + "use a domain you own");
    }
    return name;
  }

  /** The DNS name whose TXT record proves control of {@code hostname}. */
  public static String challengeName(String hostname) {
    return DnsTxtVerifier.CHALLENGE_LABEL + "." + hostname;
  }

  private static ApiException invalid(String code, String message) {
    return new ApiException(422, code, message,
        new JsonArray().add(new JsonObject().put("field", "/hostname").put("rule", code).put("message", message)));
  }
}
