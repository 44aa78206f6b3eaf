package io.skypanel.edge.platform;

import io.skypanel.edge.proxy.RouteLookup;
import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RoutePolicy;
import io.skypanel.edge.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The platform's API hostname as routes: requests for {@link ApiOptions#hostname()} under {@code /api} go, by path,
 * to the service the OpenAPI document names for the operation (the control plane for everything else under
 * {@code /api}, which then answers its own 404); {@code /git/} (the apps' repositories) goes to the control plane. Other paths on that hostname belong to no service: the edge answers
 * them. The API hostname wins over any tenant route, so no custom domain can take it over.
 */
public final class ApiRoutes {

  /** Classpath copy of {@code docs/openapi.json} (see the edge router's pom). */
  public static final String DOCUMENT = "io/skypanel/edge/platform/openapi.json";
  /** The path prefix the API hostname serves. */
  public static final String PREFIX = "/api";
  /**
   * The apps' git repositories ({@code /git/<app slug>.git/...}, smart HTTP): the control plane's, outside the OpenAPI
   * document (git's wire protocol, not JSON operations), without an upstream timeout since a push holds its request
   * while its build runs (the build log streams back as it is written).
   */
  public static final String GIT_PREFIX = "/git";

  /** No API hostname at all (proxy tests of tenant traffic). */
  public static final ApiRoutes NONE = new ApiRoutes(null, null, Map.of(), null, false);

  private final String hostname;
  private final ApiOperations operations;
  private final Map<String, Route> byService;
  private final Route git;
  private final boolean forceHttps;

  private ApiRoutes(String hostname, ApiOperations operations, Map<String, Route> byService, Route git, boolean forceHttps) {
    this.hostname = hostname;
    this.operations = operations;
    this.byService = Map.copyOf(byService);
    this.git = git;
    this.forceHttps = forceHttps;
  }

  /** Routes of {@code operations} to the upstreams in {@code options}. */
  public static ApiRoutes of(ApiOperations operations, ApiOptions options) {
    Map<String, Route> routes = new HashMap<>();
    for (String service : operations.services()) {
      long timeout = options.timeoutsMs().getOrDefault(service, 0L);
      RoutePolicy policy = new RoutePolicy(false, null, null, Integer.MAX_VALUE, 0, timeout, null, true);
      routes.put(service, Route.platform(options.hostname(), PREFIX, "api:" + service, options.upstreams().get(service), policy));
    }
    RoutePolicy untimed = new RoutePolicy(false, null, null, Integer.MAX_VALUE, 0, 0, null, true);
    Route git = Route.platform(options.hostname(), GIT_PREFIX, "git:" + ApiOperations.CONTROL_PLANE,
        options.upstreams().get(ApiOperations.CONTROL_PLANE), untimed);
    return new ApiRoutes(options.hostname(), operations, routes, git, options.forceHttps());
  }

  /** Reads the packaged OpenAPI document (off the event loop) and builds the routes from it. */
  public static Future<ApiRoutes> load(Vertx vertx, Function<ApiOperations, ApiOptions> options) {
    return vertx.fileSystem().readFile(DOCUMENT).map(raw -> {
      ApiOperations operations = ApiOperations.from(new JsonObject(raw));
      return of(operations, options.apply(operations));
    });
  }

  /** Whether {@code host} (a Host header: port and case ignored) is the API hostname. */
  public boolean serves(String host) {
    return hostname != null && host != null && hostname.equals(normalize(host));
  }

  /** The route of a request for the API hostname; null for a path outside {@value #PREFIX} (or another hostname). */
  public Route route(HttpServerRequest request) {
    if (!serves(request.authority() == null ? null : request.authority().host())) {
      return null;
    }
    return route(request.method().name(), request.path());
  }

  /** The route of {@code method} {@code path} on the API hostname; null outside {@value #PREFIX} and {@value #GIT_PREFIX}. */
  public Route route(String method, String path) {
    if (git != null && path != null && path.startsWith(GIT_PREFIX + "/")) {
      return git;
    }
    if (path == null || !(path.equals(PREFIX) || path.startsWith(PREFIX + "/"))) {
      return null;
    }
    String service = operations.serviceFor(method, path);
    return byService.get(service == null ? ApiOperations.CONTROL_PLANE : service);
  }

  /** API hostname first, so no tenant route can answer for it; then the tenants' table. */
  public RouteLookup before(RouteTable tenants) {
    RouteLookup tenantRoutes = RouteLookup.of(tenants);
    return request -> serves(request.authority() == null ? null : request.authority().host()) ? route(request) : tenantRoutes.find(request);
  }

  /**
   * Whether a hostname is served over HTTPS the platform stands behind (redirects from plain HTTP, HSTS): for the API
   * hostname, {@code SKYPANEL_API_FORCE_HTTPS} (its certificate is the operator's, e.g. the default one); for other
   * names, {@code tenants} (a certificate of their own).
   */
  public Predicate<String> httpsReady(Predicate<String> tenants) {
    return host -> serves(host) ? forceHttps : tenants.test(host);
  }

  static String normalize(String host) {
    String name = host.trim().toLowerCase(Locale.ROOT);
    int colon = name.startsWith("[") ? -1 : name.indexOf(':');
    if (colon >= 0) {
      name = name.substring(0, colon);
    }
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }
}
