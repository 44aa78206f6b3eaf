package io.skypanel.exec;

import io.skypanel.common.Platform;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.ControlPlaneServer;
import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A control plane (with its reconciler) and two exec-proxy replicas sharing its database and Redis, and one CaaS
 * container created through the control plane's API exactly as a customer would: busybox (by content id, never a
 * tag) running {@code sleep}, as a Swarm service with the platform's labels and hardening, in an organization on
 * the {@code enhanced} isolation tier (sessions recorded). Replica A allows 2 sessions per user and keeps 4 KiB of
 * one-off output; replica B ends a console after 2 idle seconds; replica C ends every session after 3 seconds.
 */
public abstract class ExecTestBase extends ApiTestBase {

  protected static final Duration CONVERGE = Duration.ofSeconds(120);
  protected static final Duration WAIT = Duration.ofSeconds(30);

  protected static ApiClient.Session owner;
  protected static ApiClient.Session developer;
  protected static ApiClient.Session viewer;
  protected static ApiClient.Session outsider;
  protected static String platformAdmin;
  protected static String org;
  protected static String container;
  protected static int replicaA;
  protected static int replicaB;
  protected static int replicaC;
  protected static WebClient http;

  private static final List<String> deployments = new ArrayList<>();

  @BeforeAll
  static void containerAndReplicas() {
    String busybox = TestImages.digestOf(TestImages.busybox());
    owner = newUser("Exec Owner");
    developer = newUser("Exec Developer");
    viewer = newUser("Exec Viewer");
    outsider = newUser("Exec Outsider");
    platformAdmin = await(api.login(ControlPlaneServer.ADMIN_EMAIL, ControlPlaneServer.ADMIN_PASSWORD));
    org = createOrganization(owner, "Exec " + UUID.randomUUID().toString().substring(0, 6)).getString("id");
    addMember(owner, org, developer, "developer");
    addMember(owner, org, viewer, "viewer");
    TestServers.execute(server.database(), "UPDATE organizations SET isolation_tier = 'enhanced' WHERE id = '" + org + "'");

    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/caas/containers", owner.token(), org, new JsonObject()
        .put("name", "shell")
        .put("image_ref", busybox)
        .put("cmd", new JsonArray().add("sleep").add("86400"))
        .put("resources", new JsonObject().put("cpu", 0.25).put("memory_mb", 64)));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(202);
    container = created.bodyAsJsonObject().getString("id");
    Eventually.await("container " + container + " running", CONVERGE, () -> {
      JsonObject state = call(HttpMethod.GET, "/api/caas/containers/" + container, owner.token(), org, null).bodyAsJsonObject();
      return "running".equals(state.getString("status")) && state.getInteger("running_replicas") == 1 ? state : null;
    });

    replicaA = deploy(Map.of("SKYPANEL_EXEC_MAX_SESSIONS_PER_USER", "2", "SKYPANEL_EXEC_OUTPUT_LIMIT_BYTES", "4096"));
    replicaB = deploy(Map.of("SKYPANEL_EXEC_IDLE_TIMEOUT_S", "2"));
    replicaC = deploy(Map.of("SKYPANEL_EXEC_MAX_SESSION_S", "3"));
    http = WebClient.create(server.platform().vertx(), new WebClientOptions().setDefaultHost("127.0.0.1"));
  }

  @AfterAll
  static void removeReplicasAndServices() {
    try {
      for (String id : deployments) {
        await(server.platform().vertx().undeploy(id));
      }
      deployments.clear();
      if (http != null) {
        http.close();
      }
    } finally {
      deployments.clear();
      // deleted through the API, so the reconciler does not put the service back
      if (container != null) {
        call(HttpMethod.DELETE, "/api/caas/containers/" + container, owner.token(), org, null);
        Eventually.await("the container's service removed", CONVERGE, () -> TestImages.docker("service", "ls", "-q", "--filter",
            "label=skypanel.container=" + container).isBlank() ? true : null);
      }
      String services = TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.org=" + org);
      for (String id : services.split("\\s+")) {
        if (!id.isBlank()) {
          TestImages.dockerResult("service", "rm", id);
        }
      }
      // the organization's networks go once the removed tasks have left them (edge gateways are disconnected)
      UUID organization = UUID.fromString(org.toString());
      Eventually.await("networks of " + org + " removed", CONVERGE, () -> {
        try {
          TestImages.removeOrganizationNetworks(organization);
          return TestImages.dockerResult("network", "inspect", "org-" + org).code() != 0 ? true : null;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return true;
        }
      });
    }
  }

  /** An exec-proxy replica on the control plane's Vert.x, database and Redis, with its own settings; its port. */
  private static int deploy(Map<String, String> overrides) {
    Platform shared = server.platform();
    var settings = shared.settings().with("SKYPANEL_EXEC_PORT", "0").with("SKYPANEL_BIND_HOST", "127.0.0.1");
    for (Map.Entry<String, String> setting : overrides.entrySet()) {
      settings = settings.with(setting.getKey(), setting.getValue());
    }
    Platform platform = new Platform(shared.vertx(), settings, shared.pool(), shared.redis(), shared.redisApi(), shared.redisPrefix(),
        shared.docker(), shared.secrets(), shared.accessTokens(), shared.authenticator(), shared.events(), shared.metrics());
    ExecProxyVerticle verticle = new ExecProxyVerticle(platform);
    deployments.add(await(shared.vertx().deployVerticle(verticle)));
    return Integer.parseInt(verticle.endpoints().get(0).replaceAll("^http://[^:]+:(\\d+).*$", "$1"));
  }

  /** A request to an exec-proxy replica with a bearer token and, when given, X-Organization-Id. */
  protected static HttpResponse<Buffer> exec(int port, HttpMethod method, String path, String token, String organization, Object body) {
    HttpRequest<Buffer> request = http.request(method, port, "127.0.0.1", path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    if (organization != null) {
      request.putHeader("X-Organization-Id", organization);
    }
    Future<HttpResponse<Buffer>> sent = body == null ? request.send()
        : body instanceof JsonObject json ? request.sendJsonObject(json) : request.sendBuffer(Buffer.buffer(body.toString()));
    return await(sent);
  }

  /** Runs a one-off exec on replica A as the developer and returns its 200 body. */
  protected static JsonObject run(JsonObject body) {
    HttpResponse<Buffer> response = exec(replicaA, HttpMethod.POST, "/api/caas/containers/" + container + "/exec", developer.token(), org, body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  /** The processes running in the container ({@code ps -o args}), without the {@code ps} itself. */
  protected static List<String> processes() {
    String out = run(new JsonObject().put("command", new JsonArray().add("ps").add("-o").add("args"))).getString("stdout");
    return out.lines().filter(line -> !line.startsWith("ps ")).toList();
  }

  /** One audit row, read straight from the table. */
  protected static Map<String, Object> auditRow(String id) {
    var database = server.database();
    try (var connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
         var statement = connection.prepareStatement("""
             SELECT status, end_reason, exit_code, duration_ms, bytes_in, bytes_out, tty, array_to_string(command, ' ') AS command,
                    host(client_ip) AS client_ip, task_id, docker_container_id, ended_at IS NOT NULL AS ended,
                    transcript IS NOT NULL AS has_transcript, user_id::text AS user_id,
                    container_id::text AS container_id, run_id::text AS run_id
               FROM caas_exec_audit WHERE id = ?::uuid""")) {
      statement.setString(1, id);
      try (var rows = statement.executeQuery()) {
        if (!rows.next()) {
          return null;
        }
        Map<String, Object> row = new java.util.HashMap<>();
        for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
          row.put(rows.getMetaData().getColumnLabel(i), rows.getObject(i));
        }
        return row;
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the session's audit row is closed, and returns it. */
  protected static Map<String, Object> closedAuditRow(String id) {
    return Eventually.await("audit row " + id + " closed", WAIT, () -> {
      Map<String, Object> row = auditRow(id);
      return row != null && Boolean.TRUE.equals(row.get("ended")) ? row : null;
    });
  }
}
