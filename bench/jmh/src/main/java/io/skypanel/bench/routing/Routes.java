package io.skypanel.bench.routing;

import io.skypanel.edge.routing.Route;
import io.vertx.core.net.SocketAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Route sets shaped like the ones {@code RouteRepository} reads: one default domain per container, eight
 * containers per organization, one endpoint each, and fresh objects per route (the repository makes a new UUID,
 * endpoint list and address string for every row, so nothing is shared between routes there either).
 */
final class Routes {

  /** Like a default domain under SKYPANEL_BASE_DOMAIN: {@code <name>-<org-slug>.<base>}. */
  private static final String BASE = ".apps.skypanel.example.com";
  private static final int CONTAINERS_PER_ORGANIZATION = 8;

  private Routes() {
  }

  static String host(int i) {
    return "app-" + i + "-org-" + (i / CONTAINERS_PER_ORGANIZATION) + BASE;
  }

  /** A hostname of the same shape and length that no route has. */
  static String missingHost(int i) {
    return "gone-" + i + "-org-" + (i / CONTAINERS_PER_ORGANIZATION) + BASE;
  }

  /** How browsers may send it: mixed case, with a port (the table ignores both). */
  static String mixedCaseHeader(int i) {
    String host = host(i);
    StringBuilder mixed = new StringBuilder(host.length() + 4);
    for (int c = 0; c < host.length(); c++) {
      char ch = host.charAt(c);
      mixed.append(c % 3 == 0 ? Character.toUpperCase(ch) : ch);
    }
    return mixed.append(":443").toString();
  }

  static List<Route> routes(int count) {
    List<Route> routes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      UUID organization = new UUID(0x5c1a9a7e1L, i / CONTAINERS_PER_ORGANIZATION);
      UUID container = new UUID(0xc0417a17e5L, i);
      String address = String.format(Locale.ROOT, "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
      routes.add(new Route(host(i), organization, container, List.of(SocketAddress.inetSocketAddress(30000 + i % 30000, address))));
    }
    return routes;
  }
}
