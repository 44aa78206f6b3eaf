package io.skypanel.edge.platform;

import io.skypanel.common.config.BaseDomain;
import io.skypanel.common.config.Settings;
import io.vertx.core.net.SocketAddress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the edge sends the API hostname's traffic, read once at start (keys in docs/configuration.md):
 * {@code SKYPANEL_API_HOSTNAME} (default {@code api.<base domain>}), {@code SKYPANEL_API_FORCE_HTTPS}, and for each
 * service the OpenAPI document names, {@code SKYPANEL_EDGE_API_UPSTREAM_<SERVICE>} ({@code host:port}, several
 * comma-separated; default: this host and the service's port setting).
 *
 * @param upstreams service name to its addresses
 * @param timeoutsMs service name to how long it may stay silent (0: no limit; the exec proxy and the log tail hold
 *                   consoles, one-off commands and log streams open for as long as their own limits allow)
 */
public record ApiOptions(String hostname, boolean forceHttps, Map<String, List<SocketAddress>> upstreams, Map<String, Long> timeoutsMs) {

  /** Port settings (and their defaults) of the services a one-process platform runs. */
  private static final Map<String, Map.Entry<String, Integer>> PORTS = Map.of(
      ApiOperations.CONTROL_PLANE, Map.entry("SKYPANEL_API_PORT", 8080),
      "exec-proxy", Map.entry("SKYPANEL_EXEC_PORT", 8081),
      "log-tail", Map.entry("SKYPANEL_LOGS_PORT", 8082));

  public ApiOptions {
    upstreams = Map.copyOf(upstreams);
    timeoutsMs = Map.copyOf(timeoutsMs);
  }

  /**
   * @param services every service the OpenAPI document names
   * @param upstreamTimeoutMs the edge's default upstream timeout, applied to the control plane
   * @throws IllegalArgumentException for a service without an address, or a malformed one
   */
  public static ApiOptions from(Settings settings, Set<String> services, long upstreamTimeoutMs) {
    Map<String, List<SocketAddress>> upstreams = new LinkedHashMap<>();
    Map<String, Long> timeouts = new LinkedHashMap<>();
    for (String service : services) {
      String key = upstreamSetting(service);
      String configured = settings.optional(key);
      if (configured == null) {
        Map.Entry<String, Integer> port = PORTS.get(service);
        if (port == null) {
          throw new IllegalArgumentException("the OpenAPI document names service '" + service + "', but " + key + " is not set");
        }
        int number = settings.integer(port.getKey(), port.getValue());
        if (number <= 0) {
          throw new IllegalArgumentException(port.getKey() + " is " + number + " (any free port) and " + service
              + " does not run in this process: set " + key);
        }
        configured = localHost(settings) + ":" + number;
      }
      upstreams.put(service, addresses(key, configured));
      timeouts.put(service, ApiOperations.CONTROL_PLANE.equals(service) ? upstreamTimeoutMs : 0L);
    }
    return new ApiOptions(BaseDomain.apiHostname(settings), settings.bool("SKYPANEL_API_FORCE_HTTPS", false), upstreams, timeouts);
  }

  /** The setting naming a service's upstream, e.g. {@code SKYPANEL_EDGE_API_UPSTREAM_LOG_TAIL}. */
  public static String upstreamSetting(String service) {
    return "SKYPANEL_EDGE_API_UPSTREAM_" + service.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  /** Where a service of this host is reached: loopback when listeners bind every address, else the bind address. */
  public static String localHost(Settings settings) {
    String bind = settings.string("SKYPANEL_BIND_HOST", "0.0.0.0");
    return bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]") ? "127.0.0.1" : bind;
  }

  private static List<SocketAddress> addresses(String key, String value) {
    List<SocketAddress> addresses = new ArrayList<>();
    for (String entry : value.split(",")) {
      String text = entry.trim();
      int colon = text.lastIndexOf(':');
      int port;
      try {
        port = colon > 0 ? Integer.parseInt(text.substring(colon + 1)) : -1;
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port <= 0 || port > 65535) {
        throw new IllegalArgumentException(key + " must be host:port (comma-separated for several), got '" + value + "'");
      }
      String host = text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      addresses.add(SocketAddress.inetSocketAddress(port, host));
    }
    return addresses;
  }
}
