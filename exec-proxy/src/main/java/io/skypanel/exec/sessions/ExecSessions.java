package io.skypanel.exec.sessions;

import io.skypanel.exec.ExecOptions;
import io.skypanel.exec.access.ExecTarget;
import io.skypanel.exec.access.RunRepository;
import io.skypanel.exec.audit.AuditEnd;
import io.skypanel.exec.audit.AuditRepository;
import io.skypanel.exec.engine.ExecCalls;
import io.skypanel.exec.engine.NodeEngine;
import io.skypanel.exec.engine.NodeEngines;
import io.skypanel.exec.engine.TaskLocator;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Starts and ends sessions the same way for consoles and one-off execs: finds the task and its node's engine,
 * takes a slot under the limits, writes the audit row, creates the exec; and at the end closes the audit row and
 * frees the slot. A failure after the slot was taken gives it back and closes the audit row as {@code failed}.
 */
public final class ExecSessions {

  private static final Logger LOG = LoggerFactory.getLogger(ExecSessions.class);

  private final TaskLocator tasks;
  private final NodeEngines engines;
  private final SessionRegistry registry;
  private final AuditRepository audit;
  private final RunRepository runs;
  private final ExecOptions options;
  private final String replica;

  /** An admitted, audited exec, created in its task's container but not started yet. */
  public record Prepared(SessionInfo info, NodeEngine engine, String execId, boolean transcript) {
  }

  public ExecSessions(TaskLocator tasks, NodeEngines engines, SessionRegistry registry, AuditRepository audit, RunRepository runs,
                      ExecOptions options, String replica) {
    this.runs = runs;
    this.tasks = tasks;
    this.engines = engines;
    this.registry = registry;
    this.audit = audit;
    this.options = options;
    this.replica = replica;
  }

  public ExecOptions options() {
    return options;
  }

  public SessionRegistry registry() {
    return registry;
  }

  /**
   * Checks the tier and the container (403, 409), picks the task (404, 409), takes a slot (429), writes the audit
   * row and creates the exec.
   */
  public Future<Prepared> prepare(ExecTarget target, List<String> command, boolean tty, String task, String clientIp) {
    try {
      target.requireExecutable();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return tasks.locate(target.container(), task).compose(located -> engines.forNode(located.nodeId()).compose(engine -> {
      boolean run = target.container().run();
      SessionInfo info = new SessionInfo(UUID.randomUUID(), target.membership().organizationId(), run ? null : target.container().id(),
          target.container().name(), target.principal().userId(), target.principal().email(), located.taskId(),
          located.dockerContainerId(), command, tty, clientIp, Instant.now(), replica, run ? target.container().id() : null);
      return registry.admit(info)
          .compose(admitted -> audit.start(info).recover(err -> registry.release(info).compose(x -> Future.failedFuture(err))))
          .compose(audited -> ExecCalls.create(engine, located.dockerContainerId(), command, tty, info.id())
              .recover(err -> finish(info, new AuditEnd(0, null, "failed", "the exec could not be created: " + err.getMessage(), 0, 0, null))
                  .compose(x -> Future.failedFuture(err))))
          .map(execId -> new Prepared(info, engine, execId, target.membership().transcriptExec()));
    }));
  }

  /**
   * Closes the audit row, ends the session's run (an interactive run ends with its session) and frees the slot;
   * never fails (failures are logged once, here).
   */
  public Future<Void> finish(SessionInfo info, AuditEnd end) {
    return audit.finish(info.id(), end)
        .recover(err -> {
          // the slot is freed all the same; the audit row's failure is said here, once
          LOG.error("closing the audit row of exec session {} failed", info.id(), err);
          return Future.succeededFuture();
        })
        .compose(closed -> info.runId() == null ? Future.<Void>succeededFuture() : runs.ended(info.runId(), info.id(), end)
            .<Void>mapEmpty()
            .recover(err -> {
              LOG.error("ending run {} after its session {} failed", info.runId(), info.id(), err);
              return Future.succeededFuture();
            }))
        .compose(closed -> registry.release(info));
  }
}
