package io.skypanel.exec;

import io.skypanel.common.tenancy.Memberships;
import io.skypanel.common.Platform;
import io.skypanel.common.ServiceVerticle;
import io.skypanel.common.auth.AuthenticationHandler;
import io.skypanel.common.auth.Digests;
import io.skypanel.common.docker.DockerOptions;
import io.skypanel.common.web.ServiceListener;
import io.skypanel.common.web.ServiceRouters;
import io.skypanel.exec.access.AccessRepository;
import io.skypanel.exec.access.ContainerAccess;
import io.skypanel.exec.access.RunRepository;
import io.skypanel.exec.audit.AuditHandler;
import io.skypanel.exec.audit.AuditRepository;
import io.skypanel.exec.audit.OrphanSweep;
import io.skypanel.exec.console.ConsoleHandler;
import io.skypanel.exec.console.ConsoleTickets;
import io.skypanel.exec.engine.NodeEngines;
import io.skypanel.exec.engine.NodeRepository;
import io.skypanel.exec.engine.TaskLocator;
import io.skypanel.exec.exec.OneShotHandler;
import io.skypanel.exec.sessions.AdminHandler;
import io.skypanel.exec.sessions.ExecSessions;
import io.skypanel.exec.sessions.SessionLimits;
import io.skypanel.exec.sessions.SessionRegistry;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The console service: audited WebSocket consoles ({@code docker exec} with a TTY) and one-off execs into CaaS
 * containers, with their audit trail and the platform administrators' view of open sessions. It checks tenancy
 * itself, like the control plane (see {@link ContainerAccess}); limits and tickets live in Redis, so any number of
 * replicas serve the same sessions; docker-java runs on the {@code skypanel-exec} worker pool.
 */
public final class ExecProxyVerticle extends ServiceVerticle {

  public static final String NAME = "exec-proxy";
  private static final Logger LOG = LoggerFactory.getLogger(ExecProxyVerticle.class);
  /** One-off exec bodies are a command and a timeout. */
  private static final long BODY_LIMIT_BYTES = 1_100_000;
  private static final long STOP_WAIT_SECONDS = 30;

  private final Platform platform;
  private HttpServer server;
  private WorkerExecutor executor;
  private NodeEngines engines;
  private SessionRegistry registry;
  private OrphanSweep sweep;

  public ExecProxyVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public String serviceName() {
    return NAME;
  }

  @Override
  public Future<?> start() {
    ExecOptions options;
    try {
      options = ExecOptions.from(platform.settings());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    executor = vertx.createSharedWorkerExecutor("skypanel-exec", options.workers());
    engines = new NodeEngines(platform.docker(), DockerOptions.from(platform.settings()), executor, new NodeRepository(platform.pool()));
    RunRepository runs = new RunRepository(platform.pool());
    ContainerAccess access = new ContainerAccess(new AccessRepository(platform.pool()), runs, new Memberships(platform.pool()));
    registry = new SessionRegistry(vertx, context, new SessionLimits(platform.redisApi(), platform.redisPrefix(), ExecOptions.LEASE),
        platform.events(), options);
    AuditRepository audit = new AuditRepository(platform.pool());
    String replica = "exec-" + Digests.randomToken(6);
    ExecSessions sessions = new ExecSessions(new TaskLocator(engines), engines, registry, audit, runs, options, replica);
    sweep = new OrphanSweep(vertx, audit, registry);

    Router router = routes(access, sessions, audit, new ConsoleTickets(platform.redisApi(), platform.redisPrefix(), options.ticketTtl()));
    return engines.start()
        .compose(ready -> registry.start())
        .compose(ready -> ServiceListener.listen(vertx, platform.settings(), "SKYPANEL_EXEC_PORT", 8081, router))
        .onSuccess(listening -> {
          server = listening;
          sweep.start();
          LOG.info("exec proxy {} ready: idle timeout {} s, session limit {} s, {} sessions per user, {} per organization",
              replica, options.idleTimeout().toSeconds(), options.maxSession().toSeconds(), options.maxPerUser(), options.maxPerOrganization());
        });
  }

  private Router routes(ContainerAccess access, ExecSessions sessions, AuditRepository audit, ConsoleTickets tickets) {
    AuthenticationHandler authenticated = new AuthenticationHandler(platform.authenticator());
    ConsoleHandler console = new ConsoleHandler(vertx, context, platform.authenticator(), access, tickets, sessions);
    OneShotHandler oneShot = new OneShotHandler(vertx, context, access, sessions);
    AuditHandler auditHandler = new AuditHandler(access, audit);
    AdminHandler admin = new AdminHandler(registry);

    Router router = ServiceRouters.withHealth(platform, NAME);
    router.post("/api/caas/containers/:id/console/ticket").handler(authenticated).handler(console::ticket);
    router.get("/api/caas/containers/:id/console").handler(console::console);
    router.post("/api/paas/runs/:id/attach/ticket").handler(authenticated).handler(console::runTicket);
    router.get("/api/paas/runs/:id/attach").handler(console::attachRun);
    router.post("/api/caas/containers/:id/exec")
        .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES))
        .handler(authenticated)
        .handler(oneShot::handle);
    router.get("/api/caas/containers/:id/exec-audit").handler(authenticated).handler(auditHandler::list);
    router.get("/api/caas/containers/:id/exec-audit/:auditId/transcript").handler(authenticated).handler(auditHandler::transcript);
    router.get("/api/admin/exec/sessions").handler(authenticated).handler(admin::requireAdmin).handler(admin::list);
    router.delete("/api/admin/exec/sessions/:id").handler(authenticated).handler(admin::requireAdmin).handler(admin::kill);
    return ServiceRouters.seal(router);
  }

  /** Ends every open session of this replica (status killed, "exec proxy stopping") before the listener goes. */
  @Override
  public Future<?> stop() {
    if (sweep != null) {
      sweep.stop();
    }
    Future<Void> sessionsEnded = registry == null ? Future.succeededFuture()
        : registry.stop().timeout(STOP_WAIT_SECONDS, TimeUnit.SECONDS).recover(err -> {
          // stopping goes on regardless: the sessions left are said here, with why
          LOG.warn("exec sessions did not all end within {} s: {}", STOP_WAIT_SECONDS, err.getMessage(), err);
          return Future.succeededFuture();
        });
    return sessionsEnded.andThen(done -> {
      if (engines != null) {
        engines.close();
      }
      if (executor != null) {
        executor.close();
      }
    });
  }

  @Override
  public List<String> endpoints() {
    return List.of("http://" + platform.settings().string("SKYPANEL_PUBLIC_HOST", "127.0.0.1") + ":" + server.actualPort());
  }
}
