package io.skypanel.controlplane;

import io.skypanel.common.Platform;
import io.skypanel.common.ServiceVerticle;
import io.skypanel.common.config.Settings;
import io.skypanel.common.web.ClientAddress;
import io.skypanel.common.web.RequestIdHandler;
import io.skypanel.common.web.ServiceListener;
import io.skypanel.common.web.ServiceRouters;
import io.skypanel.common.web.TrustedProxies;
import io.skypanel.controlplane.activity.ActivityFeature;
import io.skypanel.controlplane.activity.ActivityService;
import io.skypanel.controlplane.admin.AdminFeature;
import io.skypanel.controlplane.admin.AdminService;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.auth.AuthFeature;
import io.skypanel.controlplane.caas.CaasModule;
import io.skypanel.controlplane.paas.PaasModule;
import io.skypanel.controlplane.paas.SourcesModule;
import io.skypanel.controlplane.paas.builds.SourceBuilds;
import io.skypanel.controlplane.auth.AuthService;
import io.skypanel.controlplane.auth.PasswordHasher;
import io.skypanel.controlplane.catalog.CatalogService;
import io.skypanel.controlplane.organizations.OrganizationService;
import io.skypanel.controlplane.platform.FirstAdmin;
import io.skypanel.controlplane.catalog.CatalogFeature;
import io.skypanel.controlplane.organizations.OrganizationsFeature;
import io.skypanel.controlplane.platform.MetricsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.BodyHandler;

import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The control-plane API server. Routes come from the OpenAPI document ({@code /api/openapi.json}), which
 * also validates every request; each feature mounts its operations by id. Start fails if an operation in
 * the document has no handler, so the document and the code cannot drift apart silently. The document also
 * describes the exec-proxy's and log-tail's endpoints (marked {@value #SERVICE_EXTENSION}); those are left
 * out of the router, so they are neither required to have a handler here nor answered (404). Operations marked
 * {@value #STREAMED_EXTENSION} (source uploads) are served here but routed outside the contract, see
 * {@code mountStreamed}.
 */
public final class ControlPlaneVerticle extends ServiceVerticle {

  public static final String NAME = "control-plane";
  /** Classpath location of the OpenAPI document (copied from {@code docs/openapi.json}). */
  public static final String CONTRACT = "openapi.json";
  /** Operation extension naming the service that serves an operation; absent means the control plane. */
  public static final String SERVICE_EXTENSION = "x-skypanel-service";
  /** Marks an operation this service routes outside the contract because its body is streamed (see {@code mountStreamed}). */
  public static final String STREAMED_EXTENSION = "x-skypanel-streamed";

  private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private final Platform platform;
  private final List<HttpServer> servers = new ArrayList<>();
  private CaasModule caas;
  private PaasModule paas;
  private SourcesModule sources;
  private ControlPlaneOptions options;
  private final SourceBuilds buildsOverride;

  public ControlPlaneVerticle(Platform platform) {
    this(platform, null);
  }

  /**
   * A control plane whose git pushes and webhooks submit their builds to {@code buildsOverride} instead of the build
   * service (tests of the sources, which record what would be built); null: the build service.
   */
  public ControlPlaneVerticle(Platform platform, SourceBuilds buildsOverride) {
    this.platform = platform;
    this.buildsOverride = buildsOverride;
  }

  @Override
  public String serviceName() {
    return NAME;
  }

  @Override
  public Future<?> start() {
    Settings settings = platform.settings();
    options = ControlPlaneOptions.from(settings);
    OrganizationService organizations = new OrganizationService(platform.pool(), platform.events());
    AuthService auth = new AuthService(platform, options.auth(), new PasswordHasher(vertx, options.auth().bcryptCost()), organizations);
    CatalogService catalog = new CatalogService(platform.pool(), platform.events(), options.catalog());
    caas = new CaasModule(platform, options);
    paas = new PaasModule(platform, caas, options);
    sources = new SourcesModule(platform, caas, options.sources(), buildsOverride != null ? buildsOverride : paas.builds());
    List<ApiFeature> features = new ArrayList<>(List.of(new AuthFeature(auth), new OrganizationsFeature(organizations),
        new ActivityFeature(new ActivityService(platform.pool())), new CatalogFeature(catalog),
        new AdminFeature(new AdminService(platform.pool()), catalog)));
    features.addAll(caas.features());
    features.addAll(paas.features());
    features.addAll(sources.features());
    Future<Buffer> read = vertx.fileSystem().readFile(CONTRACT);
    Future<OpenAPIContract> parsed = read.compose(raw -> OpenAPIContract.from(vertx, routedByControlPlane(raw.toJsonObject())));
    return Future.all(parsed, read, FirstAdmin.ensure(options.auth(), auth)).compose(ready -> {
      OpenAPIContract contract = ready.resultAt(0);
      Buffer document = ready.resultAt(1);
      Router router = buildRouter(contract, document, settings, features);
      caas.start();
      // the API opens once unfinished builds of a stopped control plane are failed, so none is shown as running
      Future<HttpServer> api = paas.start()
          .compose(started -> ServiceListener.listen(vertx, settings, "SKYPANEL_API_PORT", 8080, router)).onSuccess(servers::add);
      if (options.api().adminPort() <= 0) {
        return api;
      }
      Router adminRouter = Router.router(vertx);
      adminRouter.get("/metrics").handler(MetricsEndpoint.open(platform));
      // admin listener second, so endpoints() lists the API first
      return api.compose(ok -> ServiceListener.listen(vertx, settings, "SKYPANEL_ADMIN_PORT", 0, ServiceRouters.seal(adminRouter)))
          .onSuccess(servers::add);
    });
  }

  private Router buildRouter(OpenAPIContract contract, Buffer document, Settings settings, List<ApiFeature> features) {
    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    builder.rootHandler(new RequestIdHandler());
    builder.rootHandler(new ClientAddress(TrustedProxies.from(settings)));
    builder.rootHandler(BodyHandler.create(false).setBodyLimit(options.api().bodyLimitBytes()));
    Api api = new Api(platform);
    for (ApiFeature feature : features) {
      feature.mount(builder, api);
    }
    List<String> unmounted = builder.getRoutes().stream()
        .filter(route -> route.getHandlers().isEmpty())
        .map(route -> route.getOperation().getOperationId())
        .toList();
    if (!unmounted.isEmpty()) {
      throw new IllegalStateException("OpenAPI operations without a handler: " + unmounted);
    }
    Router router = builder.createRouter();
    mountStreamed(router, document.toJsonObject(), settings, api, features);
    // git's wire protocol, not JSON operations: routed ahead of the contract and its body handler (see GitHttp)
    sources.mountGit(router, List.of(new RequestIdHandler(), new ClientAddress(TrustedProxies.from(settings))));
    router.get("/healthz").handler(platform.readiness(NAME).liveness());
    router.get("/readyz").handler(platform.readiness(NAME).readiness());
    // the document as written, not the resolved contract (which carries the resolver's internal keys)
    router.get("/api/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(document));
    MetricsEndpoint.mountForAdmins(router, platform);
    return ServiceRouters.seal(router);
  }

  /**
   * Operations marked {@value #STREAMED_EXTENSION}: served here, but their bodies (source tarballs) are streamed to
   * disk with their own size limit, in media types the OpenAPI validator cannot read, so they are routed ahead of the
   * contract's routes (and the 1 MiB body handler) with the request paused until the caller is checked. Like the
   * contract's operations, one without a handler stops the start.
   */
  private void mountStreamed(Router router, JsonObject document, Settings settings, Api api, List<ApiFeature> features) {
    JsonObject paths = document.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!HTTP_METHODS.contains(method) || !item.getJsonObject(method).getBoolean(STREAMED_EXTENSION, false)) {
          continue;
        }
        String operationId = item.getJsonObject(method).getString("operationId");
        Route route = router.route(HttpMethod.valueOf(method.toUpperCase(java.util.Locale.ROOT)), path.replaceAll("\\{(\\w+)}", ":$1"))
            .order(-1)
            .handler(new RequestIdHandler())
            .handler(new ClientAddress(TrustedProxies.from(settings)))
            .handler(ctx -> {
              // nothing is read until authentication and the role check pass; the feature's body handler resumes.
              // A request refused before that has its body drained (and dropped) once the answer goes out, so the
              // connection ends cleanly instead of being reset under a client still sending.
              ctx.request().pause();
              ctx.addHeadersEndHandler(v -> ctx.request().resume());
              ctx.next();
            });
        if (features.stream().noneMatch(feature -> feature.mountStreamed(operationId, route, api))) {
          throw new IllegalStateException("OpenAPI operations without a handler: [" + operationId + "]");
        }
      }
    }
  }

  /**
   * A copy of the document without the operations another service serves ({@value #SERVICE_EXTENSION} naming
   * anything but {@value #NAME}), and without paths left empty. The router builder would otherwise answer them
   * (503 without a handler) and validate them against the wrong service's rules.
   */
  public static JsonObject routedByControlPlane(JsonObject document) {
    JsonObject copy = document.copy();
    JsonObject paths = copy.getJsonObject("paths", new JsonObject());
    for (String path : List.copyOf(paths.fieldNames())) {
      JsonObject item = paths.getJsonObject(path);
      boolean operationsLeft = false;
      for (String method : List.copyOf(item.fieldNames())) {
        if (!HTTP_METHODS.contains(method)) {
          continue;
        }
        String service = item.getJsonObject(method).getString(SERVICE_EXTENSION, NAME);
        if (NAME.equals(service) && !item.getJsonObject(method).getBoolean(STREAMED_EXTENSION, false)) {
          operationsLeft = true;
        } else {
          item.remove(method);
        }
      }
      if (!operationsLeft) {
        paths.remove(path);
      }
    }
    return copy;
  }

  @Override
  public Future<?> stop() {
    if (paas != null) {
      paas.stop();
    }
    if (sources != null) {
      sources.stop();
    }
    if (caas != null) {
      caas.stop();
    }
    return Future.succeededFuture();
  }

  @Override
  public List<String> endpoints() {
    String host = options.api().publicHost();
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      urls.add("http://" + host + ":" + servers.get(i).actualPort() + (i == 0 ? "/api" : "/metrics"));
    }
    return urls;
  }

}
