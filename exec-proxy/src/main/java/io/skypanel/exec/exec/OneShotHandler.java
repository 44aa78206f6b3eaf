package io.skypanel.exec.exec;

import io.skypanel.common.auth.AuthenticationHandler;
import io.skypanel.common.errors.ApiException;
import io.skypanel.common.web.ClientAddress;
import io.skypanel.common.web.JsonBodies;
import io.skypanel.exec.access.ContainerAccess;
import io.skypanel.common.auth.OrgRole;
import io.skypanel.exec.engine.TaskLocator;
import io.skypanel.exec.sessions.EndReason;
import io.skypanel.exec.sessions.ExecSessions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /api/caas/containers/{id}/exec} {@code {"command": [...] | "...", "timeout_s": 30, "task": "..."}}:
 * runs a command without a TTY and answers {@code 200 {"status", "exit_code", "stdout", "stderr", ...}} once it
 * ends. {@code status} is {@code completed} when the process exited by itself, {@code timeout} when
 * {@code timeout_s} passed first (its processes were stopped; the output so far is returned), {@code killed} after
 * an administrator's kill; an exec the engine failed is a 502 {@code exec_failed}.
 */
public final class OneShotHandler {

  public static final int DEFAULT_TIMEOUT_S = 30;
  private static final Set<String> FIELDS = Set.of("command", "timeout_s", "task");

  private final Vertx vertx;
  private final Context context;
  private final ContainerAccess access;
  private final ExecSessions sessions;

  public OneShotHandler(Vertx vertx, Context context, ContainerAccess access, ExecSessions sessions) {
    this.vertx = vertx;
    this.context = context;
    this.access = access;
    this.sessions = sessions;
  }

  /** Behind a body handler and {@link AuthenticationHandler}. */
  public void handle(RoutingContext ctx) {
    UUID containerId = ContainerAccess.uuid(ctx.pathParam("id"), "container id");
    JsonObject body = JsonBodies.object(ctx);
    if (body == null) {
      throw ApiException.validation("the body must be a JSON object with command", null);
    }
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw ApiException.validation("unknown field " + field + "; expected command, timeout_s, task", null);
      }
    }
    List<String> command = ExecCommand.fromJson(body.getValue("command"));
    Duration timeout = timeout(body.getValue("timeout_s"));
    Object taskValue = body.getValue("task");
    if (taskValue != null && !(taskValue instanceof String)) {
      throw ApiException.validation("task must be a Swarm task id", null);
    }
    String task = TaskLocator.taskParameter((String) taskValue);
    String clientIp = ClientAddress.of(ctx);
    access.check(AuthenticationHandler.principal(ctx), ctx.request().getHeader(ContainerAccess.ORGANIZATION_HEADER), containerId,
            OrgRole.DEVELOPER, true)
        .compose(target -> sessions.prepare(target, command, false, task, clientIp))
        .compose(prepared -> {
          OneShotExec exec = new OneShotExec(vertx, context, sessions, prepared, timeout);
          ctx.response().closeHandler(v -> exec.terminate(EndReason.CLIENT_CLOSED));
          return exec.run();
        })
        .onSuccess(result -> {
          if ("failed".equals(result.getString("status"))) {
            ctx.fail(new ApiException(502, "exec_failed", "the engine failed the exec: " + result.getString("end_reason")));
            return;
          }
          if (!ctx.response().closed()) {
            ctx.response().putHeader("Content-Type", "application/json").end(result.encode());
          }
        })
        .onFailure(ctx::fail);
  }

  private Duration timeout(Object value) {
    long max = sessions.options().maxSession().toSeconds();
    if (value == null) {
      return Duration.ofSeconds(Math.min(DEFAULT_TIMEOUT_S, max));
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1 || ((Number) value).longValue() > max) {
      throw ApiException.validation("timeout_s must be an integer between 1 and " + max, null);
    }
    return Duration.ofSeconds(((Number) value).longValue());
  }
}
