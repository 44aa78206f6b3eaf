package io.skypanel.launcher.support;

import io.skypanel.common.db.DatabaseOptions;
import io.skypanel.common.testing.TestServers;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.TestImages;
import io.skypanel.launcher.Launcher;
import io.skypanel.launcher.RunningPlatform;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The whole platform in one JVM, as {@code ./skypanel up} runs it, for one test class: a fresh database on the test
 * PostgreSQL, its own Redis key prefix, every listener on a free loopback port, the real Docker engine and (unless
 * switched off) an edge gateway container of its own. Start it in {@code @BeforeAll} with
 * {@code WholePlatform.builder("name")…start()} and {@link #close} it in {@code @AfterAll}; closing stops the
 * platform first (its reconciler would recreate what is removed), then removes the Swarm services and networks
 * of every organization made through {@link #newUser} or {@link #track}, the gateway, and the database.
 */
public final class WholePlatform implements AutoCloseable {

  /** The base domain of the tests' app hostnames unless a class sets another. */
  public static final String BASE_DOMAIN = "apps.skypanel.test";

  private final DatabaseOptions database;
  private final RunningPlatform running;
  private final String gateway;
  private final ApiClient api;
  private final WebClient web;
  private final List<String> organizations = new CopyOnWriteArrayList<>();

  private WholePlatform(DatabaseOptions database, RunningPlatform running, String gateway) {
    this.database = database;
    this.running = running;
    this.gateway = gateway;
    this.api = new ApiClient(running.vertx(), running.port("control-plane"));
    this.web = WebClient.create(running.vertx());
  }

  /** A platform for the test class {@code name} (in its data directory's and gateway container's names). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * What every whole-platform test sets: loopback only, each service's listeners on a free port (0), cheap
   * password hashing, and {@code dataDir} as the data directory.
   */
  public static JsonObject localSettings(Path dataDir) {
    return new JsonObject()
        .put("SKYPANEL_BIND_HOST", "127.0.0.1")
        .put("SKYPANEL_DATA_DIR", dataDir.toString())
        .put("SKYPANEL_BCRYPT_COST", "4")
        .put("SKYPANEL_API_PORT", "0").put("SKYPANEL_HTTP_PORT", "0").put("SKYPANEL_HTTPS_PORT", "0")
        .put("SKYPANEL_EXEC_PORT", "0").put("SKYPANEL_LOGS_PORT", "0");
  }

  /** The test servers' PostgreSQL ({@code database}) and Redis (a prefix of its own) as settings. */
  public static JsonObject testServers(DatabaseOptions database) {
    return new JsonObject()
        .put("DATABASE_URL", databaseUrl(database))
        .put("REDIS_URL", TestServers.REDIS_URL)
        .put("SKYPANEL_REDIS_PREFIX", TestServers.redisPrefix());
  }

  /** {@code postgres://user:password@host:port/database}. */
  public static String databaseUrl(DatabaseOptions options) {
    String credentials = URLEncoder.encode(options.user(), StandardCharsets.UTF_8)
        + (options.password() == null ? "" : ":" + URLEncoder.encode(options.password(), StandardCharsets.UTF_8));
    return "postgres://" + credentials + "@" + options.host() + ":" + options.port() + "/" + options.database();
  }

  public RunningPlatform running() {
    return running;
  }

  public Vertx vertx() {
    return running.vertx();
  }

  /** A client of the control plane's own port. */
  public ApiClient api() {
    return api;
  }

  /** A plain web client on the platform's Vert.x, closed with the platform. */
  public WebClient web() {
    return web;
  }

  public int edgePort() {
    return running.port("edge-router");
  }

  public DatabaseOptions database() {
    return database;
  }

  /** The name of this platform's edge gateway ({@code SKYPANEL_EDGE_GATEWAY_NAME}). */
  public String gateway() {
    return gateway;
  }

  /** A new user (registered and signed in through the API) whose organization is cleaned up on close. */
  public ApiClient.Session newUser(String name) {
    ApiClient.Session session = Await.result(api.newUser(name));
    track(session.personalOrganizationId());
    return session;
  }

  /** Removes the Swarm services and networks of this organization on close. */
  public void track(String organizationId) {
    organizations.add(organizationId);
  }

  /** Moves the organization to the plan {@code slug} (the performance plan's edge limits let client loops through). */
  public void usePlan(String organizationId, String slug) {
    TestServers.execute(database, "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = '" + slug
        + "') WHERE id = '" + organizationId + "'");
  }

  /** GET / on the edge's plain port with {@code host} as the Host header; the body as sent ("" when none). */
  public EdgeAnswer viaEdge(String host) {
    var response = Await.result(web.get(edgePort(), "127.0.0.1", "/").virtualHost(host).timeout(5000).send());
    return new EdgeAnswer(response.statusCode(), response.bodyAsString() == null ? "" : response.bodyAsString());
  }

  /** A status and a body. */
  public record EdgeAnswer(int statusCode, String body) {
  }

  @Override
  public void close() throws InterruptedException {
    try {
      api.close();
      web.close();
      Await.result(running.stop());
    } finally {
      // Swarm outlives the platform; once its reconciler is gone (it would recreate them), remove the tenants' services
      for (String org : organizations) {
        for (String service : TestImages.docker("service", "ls", "-q", "--filter", "label=skypanel.org=" + org).trim().split("\\s+")) {
          if (!service.isBlank()) {
            TestImages.dockerResult("service", "rm", service);
          }
        }
      }
      if (gateway != null) {
        TestImages.removeGateway(gateway);
      }
      for (String org : organizations) {
        TestImages.removeOrganizationNetworks(UUID.fromString(org));
      }
      TestServers.dropDatabase(database);
    }
  }

  /** Per-class settings on top of the shared ones. */
  public static final class Builder {

    private final String name;
    private final JsonObject settings = new JsonObject();
    private String baseDomain = BASE_DOMAIN;
    private boolean ownGateway = true;

    private Builder(String name) {
      this.name = name;
    }

    /** {@code SKYPANEL_BASE_DOMAIN}; {@value #BASE_DOMAIN} unless set. */
    public Builder baseDomain(String domain) {
      this.baseDomain = domain;
      return this;
    }

    /** Runs the engine's shared default gateway instead of one named after this class (and leaves it running). */
    public Builder sharedGateway() {
      this.ownGateway = false;
      return this;
    }

    /** One more setting, or one that replaces a shared one (e.g. fixed edge ports). */
    public Builder set(String key, Object value) {
      settings.put(key, String.valueOf(value));
      return this;
    }

    /** Creates the database and starts every service; blocks until they listen. */
    public WholePlatform start() throws IOException {
      String gateway = ownGateway ? "skypanel-test-gw-" + name + "-" + UUID.randomUUID().toString().substring(0, 8) : null;
      DatabaseOptions database = TestServers.createDatabase();
      try {
        JsonObject overrides = testServers(database)
            .mergeIn(localSettings(Files.createTempDirectory("skypanel-" + name)))
            .put("SKYPANEL_BASE_DOMAIN", baseDomain);
        if (gateway != null) {
          overrides.put("SKYPANEL_EDGE_GATEWAY_NAME", gateway);
        }
        overrides.mergeIn(settings);
        return new WholePlatform(database, Await.result(Launcher.start(overrides)), gateway);
      } catch (IOException | RuntimeException e) {
        if (gateway != null) {
          TestImages.removeGateway(gateway);
        }
        TestServers.dropDatabase(database);
        throw e;
      }
    }
  }
}
