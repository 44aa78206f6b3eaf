package io.skypanel.exec.console;

import io.skypanel.common.auth.AuthenticationHandler;
import io.skypanel.common.auth.Authenticator;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.common.web.ClientAddress;
import io.skypanel.exec.access.ContainerAccess;
import io.skypanel.exec.access.ContainerRef;
import io.skypanel.exec.access.ExecTarget;
import io.skypanel.common.auth.OrgRole;
import io.skypanel.exec.engine.TaskLocator;
import io.skypanel.exec.exec.ExecCommand;
import io.skypanel.exec.audit.AuditEnd;
import io.skypanel.exec.sessions.ExecSessions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;

/**
 * {@code POST /api/caas/containers/{id}/console/ticket} and {@code GET /api/caas/containers/{id}/console}, and the same
 * for interactive one-off runs: {@code POST /api/paas/runs/{id}/attach/ticket} and {@code GET /api/paas/runs/{id}/attach}.
 *
 * <p>The console request is checked completely before the upgrade, so every refusal is an ordinary JSON error
 * (401, 403, 404, 409, 429, 503) and no WebSocket is opened: credentials ({@code Authorization: Bearer} or a
 * {@code ?ticket=}), membership (404), the developer role and the write scope (403), the container (404), the
 * tier (403), a running task (404/409), the session limits (429); then the audit row and the exec are created.
 */
public final class ConsoleHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleHandler.class);
  private static final int MAX_DIMENSION = 1000;

  private final Vertx vertx;
  private final Context context;
  private final Authenticator authenticator;
  private final ContainerAccess access;
  private final ConsoleTickets tickets;
  private final ExecSessions sessions;

  public ConsoleHandler(Vertx vertx, Context context, Authenticator authenticator, ContainerAccess access, ConsoleTickets tickets, ExecSessions sessions) {
    this.vertx = vertx;
    this.context = context;
    this.authenticator = authenticator;
    this.access = access;
    this.tickets = tickets;
    this.sessions = sessions;
  }

  /** Behind {@link AuthenticationHandler}: a ticket for the caller, who must be allowed to open a console now. */
  public void ticket(RoutingContext ctx) {
    Principal principal = AuthenticationHandler.principal(ctx);
    UUID containerId = ContainerAccess.uuid(ctx.pathParam("id"), "container id");
    access.check(principal, ctx.request().getHeader(ContainerAccess.ORGANIZATION_HEADER), containerId, OrgRole.DEVELOPER, true)
        .map(ExecTarget::requireExecutable)
        .compose(tickets::issue)
        .onSuccess(body -> ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(body.encode()))
        .onFailure(ctx::fail);
  }

  /** Behind {@link AuthenticationHandler}: a ticket to attach to an interactive run, like a console's. */
  public void runTicket(RoutingContext ctx) {
    Principal principal = AuthenticationHandler.principal(ctx);
    UUID runId = ContainerAccess.uuid(ctx.pathParam("id"), "run id");
    access.checkRun(principal, ctx.request().getHeader(ContainerAccess.ORGANIZATION_HEADER), runId, OrgRole.DEVELOPER, true)
        .map(run -> run.target().requireExecutable())
        .compose(tickets::issue)
        .onSuccess(body -> ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(body.encode()))
        .onFailure(ctx::fail);
  }

  /** The WebSocket console. */
  public void console(RoutingContext ctx) {
    open(ctx, ContainerRef.CONTAINER_LABEL, (parsed, caller) ->
        access.check(caller.principal(), caller.organization(), parsed.containerId(), OrgRole.DEVELOPER, true)
            .compose(target -> sessions.prepare(target, parsed.command(), true, parsed.task(), clientIp(ctx))));
  }

  /**
   * An interactive run's console: the run's own command ({@code /bin/sh -c}) exec'd with a TTY into the run's task,
   * then the run taken for this session (once per run: 409 {@code run_attached}). The session's end ends the run
   * ({@link ExecSessions#finish}).
   */
  public void attachRun(RoutingContext ctx) {
    open(ctx, ContainerRef.RUN_LABEL, (parsed, caller) ->
        access.checkRun(caller.principal(), caller.organization(), parsed.containerId(), OrgRole.DEVELOPER, true)
            .compose(run -> sessions.prepare(run.target(), List.of("/bin/sh", "-c", run.run().command()), true, null, clientIp(ctx))
                .compose(prepared -> access.runs().claim(run.run().id(), prepared.info().id()).compose(claimed -> claimed
                    ? Future.succeededFuture(prepared)
                    : sessions.finish(prepared.info(), new AuditEnd(0, null, "failed", "another session is attached to the run", 0, 0, null))
                        .compose(x -> Future.failedFuture(ApiException.conflict("run_attached", "another session is attached to the run")))))));
  }

  /** Checks everything before the upgrade, then bridges the WebSocket to the prepared exec. */
  private void open(RoutingContext ctx, String label, java.util.function.BiFunction<ConsoleRequest, Caller, Future<ExecSessions.Prepared>> prepare) {
    // nothing may be read from the connection until the upgrade: the checks below are asynchronous
    ctx.request().pause();
    Future<ConsoleRequest> request;
    try {
      request = Future.succeededFuture(parse(ctx, label));
    } catch (ApiException e) {
      request = Future.failedFuture(e);
    }
    request.compose(parsed -> authenticate(ctx, parsed)
            .compose(caller -> prepare.apply(parsed, caller))
            .map(prepared -> new Upgrade(parsed, prepared)))
        .onComplete(ready -> {
          if (ready.failed()) {
            LOG.debug("console refused: {}", ready.cause().toString());
            ctx.request().resume();
            ctx.fail(ready.cause());
            return;
          }
          Upgrade upgrade = ready.result();
          ctx.request().toWebSocket().onComplete(upgraded -> {
            if (upgraded.failed()) {
              LOG.warn("console {}: WebSocket handshake failed: {}", upgrade.prepared().info().id(), upgraded.cause().toString());
              sessions.finish(upgrade.prepared().info(), new AuditEnd(0, null, "failed", "WebSocket handshake failed", 0, 0, null));
              return;
            }
            new ConsoleSession(vertx, context, sessions, upgrade.prepared(), upgraded.result(),
                upgrade.request().size()).start();
          });
        });
  }

  private record ConsoleRequest(UUID containerId, String label, List<String> command, String task, int[] size, String organization,
                                String bearer, String ticket) {
  }

  private record Caller(Principal principal, String organization) {
  }

  private record Upgrade(ConsoleRequest request, ExecSessions.Prepared prepared) {
  }

  private static ConsoleRequest parse(RoutingContext ctx, String label) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      throw ApiException.badRequest("websocket_required", "this endpoint is a WebSocket: send an upgrade request");
    }
    boolean run = ContainerRef.RUN_LABEL.equals(label);
    UUID containerId = ContainerAccess.uuid(ctx.pathParam("id"), run ? "run id" : "container id");
    // a run's command is the run's own, in its one task
    List<String> command = run ? null : ExecCommand.argvOrShell(ctx.queryParam("command"));
    String task = run ? null : TaskLocator.taskParameter(ctx.request().getParam("task"));
    Integer cols = dimension(ctx.request().getParam("cols"), "cols");
    Integer rows = dimension(ctx.request().getParam("rows"), "rows");
    if ((cols == null) != (rows == null)) {
      throw ApiException.validation("give both cols and rows, or neither", null);
    }
    String organization = ctx.request().getHeader(ContainerAccess.ORGANIZATION_HEADER);
    if (organization == null || organization.isBlank()) {
      organization = ctx.request().getParam("organization_id");
    }
    String header = ctx.request().getHeader("Authorization");
    String bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    return new ConsoleRequest(containerId, label, command, task, cols == null ? null : new int[] {cols, rows}, organization, bearer,
        ctx.request().getParam("ticket"));
  }

  /** A bearer token wins; a ticket names the organization itself and must be for this container. */
  private Future<Caller> authenticate(RoutingContext ctx, ConsoleRequest request) {
    if (request.bearer() != null) {
      return authenticator.authenticate(request.bearer()).map(principal -> new Caller(principal, request.organization()));
    }
    if (request.ticket() == null) {
      return Future.failedFuture(ApiException.unauthorized(
          "authentication required: send Authorization: Bearer <token>, or ?ticket= from POST .../console/ticket"));
    }
    return tickets.redeem(request.ticket()).compose(ticket -> {
      if (ticket == null) {
        return Future.failedFuture(ApiException.unauthorized("invalid, used or expired console ticket"));
      }
      boolean sameOrganization = request.organization() == null || request.organization().isBlank()
          || request.organization().trim().equalsIgnoreCase(ticket.organizationId().toString());
      if (!ticket.containerId().equals(request.containerId()) || !ticket.label().equals(request.label()) || !sameOrganization) {
        return Future.failedFuture(ApiException.unauthorized("the console ticket was issued for another container or run"));
      }
      return access.repository().liveUser(ticket.userId(), ticket.scopes(), ticket.tokenId()).compose(principal -> principal == null
          ? Future.failedFuture(ApiException.unauthorized("invalid or expired credentials"))
          : Future.succeededFuture(new Caller(principal, ticket.organizationId().toString())));
    });
  }

  private static Integer dimension(String value, String name) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= 1 && parsed <= MAX_DIMENSION) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // falls through to the validation error
    }
    throw ApiException.validation(name + " must be an integer between 1 and " + MAX_DIMENSION, null);
  }

  static String clientIp(RoutingContext ctx) {
    return ClientAddress.of(ctx);
  }
}
