package io.skypanel.controlplane.api;

import io.skypanel.common.web.ServiceRouters;
import io.skypanel.controlplane.ControlPlaneVerticle;
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
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
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
 * check, through a router built like the verticle builds it (with dummy handlers), that the validator turns bad
 * input into 400 before any handler runs. The document also describes the exec-proxy's and log-tail's
 * operations; the control plane neither routes nor requires handlers for them.
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
      "listApps", "createApp", "getApp", "updateApp", "deleteApp", "listAppBuildpacks", "replaceAppBuildpacks", "listEnvironments", "createEnvironment", "getEnvironment",
      "updateEnvironment", "deleteEnvironment", "getConfigVars", "updateConfigVars", "deployEnvironment", "listReleases", "getRelease",
      "rollbackRelease", "promoteEnvironment", "getFormation", "updateFormation", "restartProcesses", "listRuns", "createRun", "getRun", "cancelRun",
      "listBuilds", "getBuild", "getBuildLog", "cancelBuild",
      "listWebhooks", "createWebhook", "deleteWebhook", "receiveWebhook",
      "listEnvironmentDomains", "createEnvironmentDomain", "getEnvironmentEdgeSettings", "updateEnvironmentEdgeSettings", "getEnvironmentMetrics",
      "listContainers", "createContainer", "getContainer", "deleteContainer", "deployContainer", "scaleContainer",
      "restartContainer", "stopContainer", "startContainer", "rollbackContainer", "getContainerEnv", "patchContainerEnv",
      "getContainerEvents", "getContainerMetrics", "getCaasUsage",
      // add-on operations
      "getAddonMetrics",
      // caas custom domains and edge settings
      "listContainerDomains", "createContainerDomain", "getDomain", "deleteDomain", "verifyDomain",
      "getContainerEdgeSettings", "updateContainerEdgeSettings",
      // admin
      "adminListPlans", "adminCreatePlan", "adminGetPlan", "adminUpdatePlan", "adminDeletePlan",
      "adminListUsers", "adminListOrganizations",
      // paas add-ons, their plans and attachments
      "listAddonPlans", "adminListAddonPlans", "adminCreateAddonPlan", "adminGetAddonPlan", "adminUpdateAddonPlan", "adminDeleteAddonPlan",
      "listEnvironmentAddons", "listAppAddons", "createAddon", "getAddon", "updateAddon", "deleteAddon", "rotateAddonCredentials",
      "listAddonAttachments", "createAddonAttachment", "deleteAddonAttachment",
      // paas add-on backups and restores
      "listAddonBackups", "createAddonBackup", "getAddonBackup", "restoreAddonBackup", "getAddonRestore");

  /** Operations served by other services on their own listeners, by the service named in x-skypanel-service. */
  private static final Map<String, Set<String>> FOREIGN_OPERATION_IDS = Map.of(
      "exec-proxy", Set.of("createConsoleTicket", "openConsole", "execInContainer", "listExecAudit", "getExecTranscript",
          "adminListExecSessions", "adminKillExecSession", "createRunTicket", "attachRun"),
      "log-tail", Set.of("streamContainerLogs", "streamEnvironmentLogs", "streamBuildLogs", "streamAddonLogs"));

  /** Served by the control plane but routed outside the contract: their bodies are streamed (x-skypanel-streamed). */
  private static final Set<String> STREAMED_OPERATION_IDS = Set.of("createBuild", "downloadAddonBackup");

  /** The port setting each foreign service listens on, named in its operations' servers entry. */
  private static final Map<String, String> SERVICE_PORTS = Map.of("exec-proxy", "SKYPANEL_EXEC_PORT", "log-tail", "SKYPANEL_LOGS_PORT");

  /** The console also accepts a single-use ticket instead of a bearer token. */
  private static final Set<String> TICKET_OPERATIONS = Set.of("openConsole", "attachRun");

  /** No bearer token: anyone may register and log in; a webhook delivery proves itself by its signature instead. */
  private static final Set<String> PUBLIC_OPERATIONS = Set.of("register", "login", "refreshToken", "receiveWebhook");

  private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private static final String ORG_ID = "7f0c2a9e-3b1d-4c56-9a8e-0d1f2e3a4b5c";

  /** The document as packaged and published: every operation, including other services' ones. */
  private JsonObject document;
  /** What the control plane builds its router from: its own operations only. */
  private OpenAPIContract contract;
  private HttpServer server;
  private HttpClient client;

  @BeforeEach
  void load(Vertx vertx) throws Exception {
    document = await(vertx.fileSystem().readFile(ControlPlaneVerticle.CONTRACT)).toJsonObject();
    contract = await(OpenAPIContract.from(vertx, ControlPlaneVerticle.routedByControlPlane(document)));
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
  void isValidOpenApi31(Vertx vertx) throws Exception {
    assertThat(document.getString("openapi")).isEqualTo("3.1.0");
    // the whole document against the OpenAPI 3.1 schema; vertx-openapi itself would refuse the other services'
    // media types (text/event-stream, application/gzip), which is one reason the control plane leaves them out
    OutputUnit result = await(OpenAPIVersion.V3_1.getRepository(vertx, "app://")
        .compose(repository -> OpenAPIVersion.V3_1.validateContract(vertx, repository, document)));
    assertThat(result.getValid()).as("%s", result.getErrors()).isTrue();
    JsonObject info = document.getJsonObject("info");
    assertThat(info.getString("title")).isEqualTo("SkyPanel Platform API");
    assertThat(info.getString("version")).isEqualTo("0.1.0");
    // service endpoints are described, not routed (the router would demand handlers for them)
    assertThat(info.getString("description")).contains("/healthz", "/readyz", "/metrics", "/api/openapi.json",
        "SKYPANEL_EXEC_PORT", "SKYPANEL_LOGS_PORT");
  }

  @Test
  void operationIdsAreExactlyTheImplementedOnes() {
    Set<String> ids = contract.operations().stream().map(Operation::getOperationId).collect(Collectors.toCollection(TreeSet::new));
    assertThat(ids).containsExactlyInAnyOrderElementsOf(OPERATION_IDS);
    assertThat(contract.operations()).hasSize(OPERATION_IDS.size());
    Set<String> all = new TreeSet<>(OPERATION_IDS);
    FOREIGN_OPERATION_IDS.values().forEach(all::addAll);
    all.addAll(STREAMED_OPERATION_IDS);
    assertThat(operationsOf(document)).extracting(op -> op.model().getString("operationId")).containsExactlyInAnyOrderElementsOf(all);
  }

  @Test
  void foreignOperationsNameTheirServiceAndItsPort() {
    List<RawOperation> foreign = operationsOf(document).stream()
        .filter(op -> op.model().containsKey(ControlPlaneVerticle.SERVICE_EXTENSION)).toList();
    assertThat(foreign).hasSize(FOREIGN_OPERATION_IDS.values().stream().mapToInt(Set::size).sum());
    for (RawOperation op : foreign) {
      String id = op.model().getString("operationId");
      String service = op.model().getString(ControlPlaneVerticle.SERVICE_EXTENSION);
      assertThat(FOREIGN_OPERATION_IDS.get(service)).as("service of %s", id).isNotNull().contains(id);
      JsonArray servers = document.getJsonObject("paths").getJsonObject(op.path()).getJsonArray("servers");
      assertThat(servers).as("servers of %s", id).isNotNull().hasSize(2);
      assertThat(servers.getJsonObject(0)).as("the public origin first").isEqualTo(document.getJsonArray("servers").getJsonObject(0));
      assertThat(servers.getJsonObject(1).getString("description")).as("servers of %s", id).contains(SERVICE_PORTS.get(service));
    }
  }

  @Test
  void foreignOperationsAreDocumentedLikeTheOthers() {
    JsonObject schemes = document.getJsonObject("components").getJsonObject("securitySchemes");
    assertThat(schemes.getJsonObject("consoleTicket").getString("in")).isEqualTo("query");
    assertThat(schemes.getJsonObject("consoleTicket").getString("name")).isEqualTo("ticket");
    for (RawOperation op : operationsOf(document)) {
      JsonObject model = op.model();
      String id = model.getString("operationId");
      if (!model.containsKey(ControlPlaneVerticle.SERVICE_EXTENSION)) {
        continue; // checked through the control plane's contract below
      }
      assertThat(model.getString("summary")).as("summary of %s", id).isNotBlank();
      assertThat(model.getString("description")).as("description of %s", id).isNotBlank();
      assertThat(model.getJsonArray("tags")).as("tags of %s", id).hasSize(1);
      JsonObject responses = model.getJsonObject("responses");
      assertThat(responses.fieldNames()).as("responses of %s", id).contains("401");
      if (model.containsKey("requestBody") || !model.getJsonArray("parameters", new JsonArray()).isEmpty()) {
        assertThat(responses.fieldNames()).as("responses of %s", id).contains("400");
      }
      if (id.startsWith("admin")) {
        assertThat(responses.fieldNames()).as("responses of %s", id).contains("403");
      } else {
        assertThat(responses.fieldNames()).as("responses of %s", id).contains("403", "404", "422");
        assertThat(model.getString("description")).as("description of %s", id).containsPattern("`(viewer|developer|admin|owner)`");
      }
      JsonArray security = model.getJsonArray("security");
      if (TICKET_OPERATIONS.contains(id)) {
        assertThat(security).as("security of %s", id).containsExactlyInAnyOrder(
            new JsonObject().put("bearerAuth", new JsonArray()), new JsonObject().put("consoleTicket", new JsonArray()));
      } else {
        assertThat(security).as("security of %s (the document's default, bearerAuth)", id).isNull();
      }
    }
  }

  @Test
  void theControlPlaneRoutesOnlyItsOwnOperations(Vertx vertx) throws Exception {
    start(vertx);
    String container = "/api/caas/containers/" + ORG_ID;
    assertThat(get(container)).as("own operation").isEqualTo(200);
    assertThat(post(container + "/console/ticket", null)).as("console ticket").isEqualTo(404);
    assertThat(get(container + "/console?command=sh")).as("console").isEqualTo(404);
    assertThat(post(container + "/exec", new JsonObject().put("command", "true"))).as("exec").isEqualTo(404);
    assertThat(get(container + "/exec-audit")).as("exec audit").isEqualTo(404);
    assertThat(get(container + "/exec-audit/" + ORG_ID + "/transcript")).as("transcript").isEqualTo(404);
    assertThat(get("/api/admin/exec/sessions")).as("admin sessions").isEqualTo(404);
    assertThat(send(HttpMethod.DELETE, "/api/admin/exec/sessions/" + ORG_ID, Map.of(), null)).as("admin kill").isEqualTo(404);
    assertThat(get(container + "/logs?follow=false")).as("container logs").isEqualTo(404);
    assertThat(get("/api/paas/environments/" + ORG_ID + "/logs")).as("environment logs").isEqualTo(404);
  }

  @Test
  void serviceEndpointsAreNotOperations() {
    assertThat(document.getJsonObject("paths").fieldNames())
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
    JsonObject raw = document;
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
    long withBody = operationsOf(raw).stream().filter(op -> op.model().containsKey("requestBody")).count();
    assertThat(withBody).isPositive();
    assertThat(checked).as("request body object schemas").hasSizeGreaterThanOrEqualTo((int) withBody);
  }

  @Test
  void everyRequestStringIsBoundedAndNothingReliesOnFormat() {
    JsonObject raw = document;
    List<JsonObject> inputs = new ArrayList<>();
    forEachRequestBodySchema(raw, (where, schema) -> walkSchema(raw, where, schema, (path, node) -> inputs.add(node)));
    for (RawOperation op : operationsOf(raw)) {
      for (Object parameter : op.model().getJsonArray("parameters", new JsonArray())) {
        JsonObject schema = resolve(raw, resolve(raw, (JsonObject) parameter).getJsonObject("schema"));
        walkSchema(raw, op.path(), schema, (path, node) -> inputs.add(node));
      }
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
    Router router = ServiceRouters.seal(builder.createRouter());
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
    // The body is asked for in a chain nested inside the request's callback, so the listener is registered on the
    // event loop before the response can arrive. Chained from this (JUnit) thread instead, a descheduled thread
    // could register it after the response had already ended, and body() then never completes: the flaky
    // "no answer" of earlier full-suite runs.
    Future<Integer> status = client.request(options)
        .compose(request -> (body == null ? request.send() : request.send(Buffer.buffer(body.encode())))
            .compose(response -> response.body().map(ignored -> response.statusCode())));
    return await(status);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** One operation of the unresolved document. */
  private record RawOperation(String path, String method, JsonObject model) {
  }

  private static List<RawOperation> operationsOf(JsonObject raw) {
    List<RawOperation> operations = new ArrayList<>();
    JsonObject paths = raw.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (HTTP_METHODS.contains(method)) {
          operations.add(new RawOperation(path, method, item.getJsonObject(method)));
        }
      }
    }
    return operations;
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
