package io.skypanel.controlplane.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.SecurityRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document ({@code docs/openapi.json}, packaged as {@code openapi.json}) is what routes and validates
 * every control-plane request. These tests pin its shape (operations, security, strict request schemas) and
 * check, through a real router with dummy handlers, that the validator turns bad input into 400 before any
 * handler runs.
 */
@ExtendWith(VertxExtension.class)
class OpenApiDocumentTest {

  private static final Set<String> OPERATION_IDS = Set.of(
      // auth
      "register", "login", "refreshToken", "getCurrentUser", "createApiToken", "listApiTokens", "deleteApiToken",
      // organizations
      "createOrganization", "listOrganizations", "getOrganization", "updateOrganization", "deleteOrganization",
      "listMembers", "addMember", "updateMember", "removeMember",
      // activity
      "listActivity",
      // catalog
      "listPlans", "listLocations",
      // caas policies and registry credentials
      "getImagePolicy", "updateImagePolicy", "getNetworkPolicy", "updateNetworkPolicy",
      "listRegistryCredentials", "createRegistryCredential", "deleteRegistryCredential",
      // caas volumes, snapshots and restores
      "createVolume", "listVolumes", "getVolume", "deleteVolume", "createVolumeSnapshot", "listVolumeSnapshots",
      "getVolumeSnapshot", "deleteVolumeSnapshot", "restoreVolumeSnapshot",
      // caas containers and usage
      "listContainers", "createContainer", "getContainer", "deleteContainer", "deployContainer", "scaleContainer",
      "restartContainer", "stopContainer", "startContainer", "rollbackContainer", "getContainerEnv", "patchContainerEnv",
      "getContainerEvents", "getContainerMetrics", "getCaasUsage",
      // caas custom domains and edge settings
      "listContainerDomains", "createContainerDomain", "getDomain", "deleteDomain", "verifyDomain",
      "getContainerEdgeSettings", "updateContainerEdgeSettings",
      // admin
      "adminListPlans", "adminCreatePlan", "adminGetPlan", "adminUpdatePlan", "adminDeletePlan",
      "adminListUsers", "adminListOrganizations");

  private static final Set<String> PUBLIC_OPERATIONS = Set.of("register", "login", "refreshToken");

  private static final String ORG_ID = "7f0c2a9e-3b1d-4c56-9a8e-0d1f2e3a4b5c";

  private OpenAPIContract contract;
  private HttpServer server;
  private HttpClient client;

  @BeforeEach
  void load(Vertx vertx) throws Exception {
    contract = await(OpenAPIContract.from(vertx, "openapi.json"));
  }

  @AfterEach
  void close() throws Exception {
    if (client != null) {
      await(client.close());
    }
    if (server != null) {
      await(server.close());
    }
  }

  // --- the document itself ------------------------------------------------------------------------

  @Test
  void resolvesAsOpenApi31() {
    assertThat(contract).isNotNull();
    assertThat(contract.getRawContract().getString("openapi")).isEqualTo("3.1.0");
    JsonObject info = contract.getRawContract().getJsonObject("info");
    assertThat(info.getString("title")).isEqualTo("SkyPanel Platform API");
    assertThat(info.getString("version")).isEqualTo("0.1.0");
    // service endpoints are described, not routed (the router would demand handlers for them)
    assertThat(info.getString("description")).contains("/healthz", "/readyz", "/metrics", "/api/openapi.json");
  }

  @Test
  void operationIdsAreExactlyTheImplementedOnes() {
    Set<String> ids = contract.operations().stream().map(Operation::getOperationId).collect(Collectors.toCollection(TreeSet::new));
    assertThat(ids).containsExactlyInAnyOrderElementsOf(OPERATION_IDS);
    assertThat(contract.operations()).hasSize(OPERATION_IDS.size());
  }

  @Test
  void serviceEndpointsAreNotOperations() {
    assertThat(contract.getRawContract().getJsonObject("paths").fieldNames().stream().filter(path -> !isAnnotation(path)).toList())
        .doesNotContain("/healthz", "/readyz", "/metrics", "/api/openapi.json")
        .allMatch(path -> path.startsWith("/api/"));
  }

  @Test
  void everyOperationButRegisterLoginAndRefreshRequiresBearerAuth() {
    assertThat(contract.securityScheme("bearerAuth")).isNotNull();
    assertThat(contract.securityScheme("bearerAuth").getType()).isEqualTo("http");
    assertThat(contract.securityScheme("bearerAuth").getScheme()).isEqualTo("bearer");
    assertThat(contract.getSecurityRequirements()).singleElement()
        .satisfies(requirement -> assertThat(requirement.getNames()).containsExactly("bearerAuth"));
    for (Operation operation : contract.operations()) {
      List<SecurityRequirement> requirements = operation.getSecurityRequirements();
      if (PUBLIC_OPERATIONS.contains(operation.getOperationId())) {
        assertThat(requirements).as("security of %s", operation.getOperationId()).isEmpty();
      } else {
        assertThat(requirements).as("security of %s", operation.getOperationId())
            .isNotEmpty()
            .allSatisfy(requirement -> assertThat(requirement.getNames()).contains("bearerAuth"));
      }
    }
  }

  @Test
  void everyOperationHasSummaryTagAndDocumentedErrors() {
    for (Operation operation : contract.operations()) {
      JsonObject model = operation.getOpenAPIModel();
      String id = operation.getOperationId();
      assertThat(model.getString("summary")).as("summary of %s", id).isNotBlank();
      assertThat(operation.getTags()).as("tags of %s", id).hasSize(1);
      JsonObject responses = model.getJsonObject("responses");
      if (!PUBLIC_OPERATIONS.contains(id)) {
        assertThat(responses.fieldNames()).as("responses of %s", id).contains("401");
      }
      if (model.containsKey("requestBody") || !operation.getParameters().isEmpty()) {
        assertThat(responses.fieldNames()).as("responses of %s", id).contains("400");
      }
      if (operation.getOpenAPIPath().startsWith("/api/organizations/{organizationId}") || id.equals("listActivity")) {
        assertThat(responses.fieldNames()).as("responses of %s", id).contains("403", "404");
        assertThat(model.getString("description")).as("description of %s", id).containsPattern("`(viewer|developer|admin|owner)`");
      }
      if (id.startsWith("admin")) {
        assertThat(responses.fieldNames()).as("responses of %s", id).contains("403");
      }
    }
    assertThat(contract.operation("login").getOpenAPIModel().getJsonObject("responses").getJsonObject("429")
        .getJsonObject("headers").containsKey("Retry-After")).isTrue();
  }

  @Test
  void everyRequestBodyObjectIsClosed() {
    JsonObject raw = contract.getRawContract();
    List<String> checked = new ArrayList<>();
    forEachRequestBodySchema(raw, (where, schema) -> walkSchema(raw, where, schema, (path, node) -> {
      if (isObjectSchema(node)) {
        checked.add(path);
        Object additional = node.getValue("additionalProperties");
        if (additional instanceof JsonObject valueSchema) {
          // a map (config vars, secrets): closed by a typed value schema and a bounded number of entries
          assertThat(valueSchema.containsKey("type") || valueSchema.containsKey("$ref")).as("map value type at %s", path).isTrue();
          assertThat(node.getInteger("maxProperties")).as("maxProperties of the map at %s", path).isNotNull();
        } else {
          assertThat(additional).as("additionalProperties at %s", path).isEqualTo(false);
        }
      }
    }));
    long withBody = contract.operations().stream().filter(operation -> operation.getRequestBody() != null).count();
    assertThat(withBody).isPositive();
    assertThat(checked).as("request body object schemas").hasSizeGreaterThanOrEqualTo((int) withBody);
  }

  @Test
  void everyRequestStringIsBoundedAndNothingReliesOnFormat() {
    JsonObject raw = contract.getRawContract();
    List<JsonObject> inputs = new ArrayList<>();
    forEachRequestBodySchema(raw, (where, schema) -> walkSchema(raw, where, schema, (path, node) -> inputs.add(node)));
    for (Operation operation : contract.operations()) {
      operation.getParameters().forEach(parameter -> inputs.add(resolve(raw, parameter.getOpenAPIModel().getJsonObject("schema"))));
    }
    assertThat(inputs).isNotEmpty().allSatisfy(node -> {
      assertThat(node.containsKey("format")).as("format in %s", node).isFalse();
      if ("string".equals(node.getValue("type")) && !node.containsKey("enum")) {
        assertThat(node.getInteger("maxLength")).as("maxLength of %s", node).isNotNull();
      }
    });
  }

  // --- the validator in front of the handlers ------------------------------------------------------

  @Test
  void validRequestsReachTheHandlers(Vertx vertx) throws Exception {
    start(vertx);
    assertThat(post("/api/auth/register", new JsonObject().put("email", "ada@example.com").put("password", "correct horse battery").put("name", "Ada Lovelace"))).isEqualTo(200);
    assertThat(post("/api/auth/login", new JsonObject().put("email", "ada@example.com").put("password", "x"))).isEqualTo(200);
    assertThat(post("/api/auth/refresh", new JsonObject().put("refresh_token", "AbCdEfGhIjKlMnOpQrStUvWx-_0123"))).isEqualTo(200);
    assertThat(post("/api/auth/tokens", new JsonObject().put("name", "ci").put("scopes", new JsonArray().add("read")).put("expires_in_days", 30))).isEqualTo(200);
    assertThat(post("/api/organizations", new JsonObject().put("name", "Acme"))).isEqualTo(200);
    assertThat(post("/api/organizations", new JsonObject().put("name", "Acme").put("slug", "acme-web"))).isEqualTo(200);
    assertThat(send(HttpMethod.PATCH, "/api/organizations/" + ORG_ID, Map.of(), new JsonObject().put("slug", "acme"))).isEqualTo(200);
    assertThat(post("/api/organizations/" + ORG_ID + "/members", new JsonObject().put("email", "bob@example.com").put("role", "developer"))).isEqualTo(200);
    assertThat(send(HttpMethod.PATCH, "/api/organizations/" + ORG_ID + "/members/" + ORG_ID, Map.of(), new JsonObject().put("role", "viewer"))).isEqualTo(200);
    assertThat(get("/api/organizations?limit=100&cursor=MjAyNS0wMS0wMVQwMDowMDowMFp8YWJj")).isEqualTo(200);
    assertThat(send(HttpMethod.GET, "/api/activity?action=organization.member&limit=1", Map.of("X-Organization-Id", ORG_ID), null)).isEqualTo(200);
    assertThat(get("/api/activity")).isEqualTo(200);
    assertThat(send(HttpMethod.DELETE, "/api/auth/tokens/" + ORG_ID.toUpperCase(), Map.of(), null)).isEqualTo(200);
    assertThat(post("/api/admin/paas/plans", plan())).isEqualTo(200);
    assertThat(send(HttpMethod.PATCH, "/api/admin/paas/plans/" + ORG_ID, Map.of(), new JsonObject().put("active", false))).isEqualTo(200);
    assertThat(get("/api/paas/plans")).isEqualTo(200);
  }

  @Test
  void badBodiesAreRejectedBeforeTheHandlers(Vertx vertx) throws Exception {
    start(vertx);
    JsonObject register = new JsonObject().put("email", "ada@example.com").put("password", "correct horse battery").put("name", "Ada");
    assertThat(post("/api/auth/register", register.copy().put("platform_role", "admin"))).as("unknown property").isEqualTo(400);
    assertThat(post("/api/auth/register", register.copy().put("email", "x' OR '1'='1@example.com"))).as("sql-looking email").isEqualTo(400);
    assertThat(post("/api/auth/register", register.copy().put("email", "a@b.c;DROP"))).as("semicolon in email").isEqualTo(400);
    assertThat(post("/api/auth/register", register.copy().put("email", "no-at-sign"))).as("no @").isEqualTo(400);
    assertThat(post("/api/auth/register", register.copy().put("email", "a".repeat(250) + "@example.com"))).as("long email").isEqualTo(400);
    assertThat(post("/api/auth/register", register.copy().put("password", "short"))).as("short password").isEqualTo(400);
    assertThat(post("/api/auth/register", register.copy().put("password", "p".repeat(129)))).as("long password").isEqualTo(400);
    assertThat(post("/api/auth/register", register.copy().put("name", "bad\u0000name"))).as("control character").isEqualTo(400);
    assertThat(post("/api/auth/register", register.copy().put("name", "   "))).as("blank name").isEqualTo(400);
    assertThat(post("/api/auth/register", register.copy().put("name", ""))).as("empty name").isEqualTo(400);
    JsonObject noName = register.copy();
    noName.remove("name");
    assertThat(post("/api/auth/register", noName)).as("missing name").isEqualTo(400);
    assertThat(post("/api/auth/register", register.copy().put("email", 42))).as("wrong type").isEqualTo(400);
    assertThat(post("/api/auth/login", new JsonObject().put("email", "ada@example.com").put("password", ""))).as("empty password").isEqualTo(400);
    assertThat(post("/api/auth/refresh", new JsonObject().put("refresh_token", "short"))).as("short refresh token").isEqualTo(400);
    assertThat(post("/api/auth/refresh", new JsonObject().put("refresh_token", "AbCdEfGhIjKlMnOpQrSt;--'"))).as("refresh token charset").isEqualTo(400);
    assertThat(post("/api/auth/tokens", new JsonObject().put("name", "ci").put("scopes", new JsonArray().add("read").add("read")))).as("duplicate scope").isEqualTo(400);
    assertThat(post("/api/auth/tokens", new JsonObject().put("name", "ci").put("scopes", new JsonArray().add("root")))).as("unknown scope").isEqualTo(400);
    assertThat(post("/api/auth/tokens", new JsonObject().put("name", "ci").put("scopes", new JsonArray()))).as("no scopes").isEqualTo(400);
    assertThat(post("/api/auth/tokens", new JsonObject().put("name", "ci").put("expires_in_days", 0))).as("zero days").isEqualTo(400);
    assertThat(post("/api/auth/tokens", new JsonObject().put("name", "ci").put("expires_in_days", 3651))).as("too many days").isEqualTo(400);
    assertThat(post("/api/organizations", new JsonObject().put("name", "Acme").put("slug", "Acme_Web"))).as("bad slug").isEqualTo(400);
    assertThat(post("/api/organizations", new JsonObject().put("name", "Acme").put("slug", "-acme"))).as("slug starts with dash").isEqualTo(400);
    assertThat(post("/api/organizations", new JsonObject().put("name", "Acme").put("slug", "a".repeat(64)))).as("long slug").isEqualTo(400);
    assertThat(send(HttpMethod.PATCH, "/api/organizations/" + ORG_ID, Map.of(), new JsonObject())).as("empty patch").isEqualTo(400);
    assertThat(post("/api/organizations/" + ORG_ID + "/members", new JsonObject().put("email", "bob@example.com").put("role", "superuser"))).as("unknown role").isEqualTo(400);
    assertThat(post("/api/organizations/" + ORG_ID + "/members", new JsonObject().put("email", "bob@example.com"))).as("missing role").isEqualTo(400);
    assertThat(post("/api/admin/paas/plans", plan().put("cpu", 0))).as("zero cpu").isEqualTo(400);
    assertThat(post("/api/admin/paas/plans", plan().put("cpu", 257))).as("too much cpu").isEqualTo(400);
    assertThat(post("/api/admin/paas/plans", plan().put("memory_mb", 32))).as("too little memory").isEqualTo(400);
    assertThat(post("/api/admin/paas/plans", plan().put("price_hourly", -1))).as("negative price").isEqualTo(400);
    assertThat(post("/api/admin/paas/plans", plan().put("max_domains", 100001))).as("too many domains").isEqualTo(400);
    assertThat(post("/api/admin/paas/plans", plan().put("isolation_tier", "vm"))).as("unknown tier").isEqualTo(400);
    JsonObject noPrice = plan();
    noPrice.remove("price_hourly");
    assertThat(post("/api/admin/paas/plans", noPrice)).as("missing price").isEqualTo(400);
    assertThat(send(HttpMethod.PATCH, "/api/admin/paas/plans/" + ORG_ID, Map.of(), new JsonObject())).as("empty plan patch").isEqualTo(400);
    assertThat(send(HttpMethod.PATCH, "/api/admin/paas/plans/" + ORG_ID, Map.of(), new JsonObject().put("id", ORG_ID))).as("read-only field").isEqualTo(400);
  }

  @Test
  void badParametersAreRejectedBeforeTheHandlers(Vertx vertx) throws Exception {
    start(vertx);
    assertThat(get("/api/organizations/not-a-uuid")).as("path uuid").isEqualTo(400);
    assertThat(get("/api/organizations/" + ORG_ID + "x/members")).as("path uuid length").isEqualTo(400);
    assertThat(send(HttpMethod.DELETE, "/api/auth/tokens/1%27%20OR%201=1", Map.of(), null)).as("token id").isEqualTo(400);
    assertThat(get("/api/admin/paas/plans/starter")).as("plan id").isEqualTo(400);
    assertThat(get("/api/organizations?limit=0")).as("limit 0").isEqualTo(400);
    assertThat(get("/api/organizations?limit=101")).as("limit 101").isEqualTo(400);
    assertThat(get("/api/organizations?limit=ten")).as("limit not a number").isEqualTo(400);
    assertThat(get("/api/admin/users?cursor=abc%3D%3D")).as("cursor charset").isEqualTo(400);
    assertThat(get("/api/admin/users?cursor=" + "a".repeat(201))).as("long cursor").isEqualTo(400);
    assertThat(send(HttpMethod.GET, "/api/activity", Map.of("X-Organization-Id", "acme"), null)).as("org header").isEqualTo(400);
    assertThat(get("/api/activity?action=Organization%20Member")).as("action filter").isEqualTo(400);
    assertThat(get("/api/activity?action=" + "a".repeat(101))).as("long action filter").isEqualTo(400);
  }

  // --- helpers -----------------------------------------------------------------------------------------

  private static JsonObject plan() {
    return new JsonObject().put("slug", "starter").put("name", "Starter").put("price_hourly", 0.01)
        .put("cpu", 0.5).put("memory_mb", 512).put("max_domains", 3).put("isolation_tier", "standard");
  }

  /** A router built from the document like the verticle builds it, with a handler that answers 200 everywhere. */
  private void start(Vertx vertx) throws Exception {
    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    builder.rootHandler(BodyHandler.create(false).setBodyLimit(1_048_576));
    for (OpenAPIRoute route : builder.getRoutes()) {
      route.setDoSecurity(false).addHandler(ctx -> ctx.response().setStatusCode(200).end("handled"));
    }
    Router router = builder.createRouter();
    server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    client = vertx.createHttpClient();
  }

  private int get(String uri) throws Exception {
    return send(HttpMethod.GET, uri, Map.of(), null);
  }

  private int post(String uri, JsonObject body) throws Exception {
    return send(HttpMethod.POST, uri, Map.of(), body);
  }

  private int send(HttpMethod method, String uri, Map<String, String> headers, JsonObject body) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(server.actualPort()).setURI(uri);
    headers.forEach(options::putHeader);
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    // read the body in the same chain, on the event loop, so none of it is missed
    Future<Integer> status = client.request(options)
        .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body.encode())))
        .compose(response -> response.body().map(ignored -> response.statusCode()));
    return await(status);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private interface SchemaVisitor {
    void visit(String path, JsonObject schema);
  }

  private static void forEachRequestBodySchema(JsonObject raw, SchemaVisitor visitor) {
    JsonObject paths = raw.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      if (isAnnotation(path)) {
        continue;
      }
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (isAnnotation(method) || !(item.getValue(method) instanceof JsonObject operation)) {
          continue;
        }
        JsonObject requestBody = resolve(raw, operation.getJsonObject("requestBody"));
        if (requestBody == null) {
          continue;
        }
        JsonObject content = requestBody.getJsonObject("content");
        for (String mediaType : content.fieldNames()) {
          if (isAnnotation(mediaType)) {
            continue;
          }
          JsonObject schema = content.getJsonObject(mediaType).getJsonObject("schema");
          visitor.visit(method.toUpperCase() + " " + path + " " + mediaType, resolve(raw, schema));
        }
      }
    }
  }

  /** Visits {@code schema} and every subschema that describes request data. */
  private static void walkSchema(JsonObject raw, String path, JsonObject schema, SchemaVisitor visitor) {
    JsonObject node = resolve(raw, schema);
    if (node == null) {
      return;
    }
    visitor.visit(path, node);
    JsonObject properties = node.getJsonObject("properties");
    if (properties != null) {
      for (String name : properties.fieldNames()) {
        if (isAnnotation(name)) {
          continue;
        }
        walkSchema(raw, path + "/" + name, properties.getJsonObject(name), visitor);
      }
    }
    if (node.getValue("items") instanceof JsonObject items) {
      walkSchema(raw, path + "[]", items, visitor);
    }
    if (node.getValue("additionalProperties") instanceof JsonObject additional) {
      walkSchema(raw, path + "/*", additional, visitor);
    }
    for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
      JsonArray parts = node.getJsonArray(combinator);
      if (parts != null) {
        for (int i = 0; i < parts.size(); i++) {
          walkSchema(raw, path + "/" + combinator + "/" + i, parts.getJsonObject(i), visitor);
        }
      }
    }
  }

  /** The resolved contract carries resolver bookkeeping such as {@code __absolute_uri__}. */
  private static boolean isAnnotation(String key) {
    return key.startsWith("__") && key.endsWith("__");
  }

  private static boolean isObjectSchema(JsonObject node) {
    Object type = node.getValue("type");
    return "object".equals(type) || (type instanceof JsonArray types && types.contains("object"))
        || node.containsKey("properties");
  }

  /** Follows a local {@code $ref} in case the resolved contract still carries one. */
  private static JsonObject resolve(JsonObject raw, JsonObject node) {
    JsonObject current = node;
    for (int hops = 0; current != null && current.getValue("$ref") instanceof String ref && ref.startsWith("#/") && hops < 10; hops++) {
      Object target = raw;
      for (String token : ref.substring(2).split("/")) {
        String key = token.replace("~1", "/").replace("~0", "~");
        target = target instanceof JsonObject object ? object.getValue(key) : null;
      }
      current = (JsonObject) target;
    }
    return current;
  }
}
