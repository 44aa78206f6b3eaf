package io.skypanel.exec.sessions;

import io.skypanel.common.errors.ApiException;
import io.skypanel.common.events.PlatformEvents;
import io.skypanel.exec.ExecOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This replica's open sessions and their share of the platform-wide limits ({@link SessionLimits}): admission
 * (429 over a limit), lease renewal, release, the admin listing of every replica's sessions and the admin kill,
 * which is published on {@link ExecTopics#SESSION_KILL} so the replica running the session ends it.
 */
public final class SessionRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);

  private final Vertx vertx;
  private final Context context;
  private final SessionLimits limits;
  private final PlatformEvents events;
  private final ExecOptions options;
  private final Map<UUID, LiveSession> local = new ConcurrentHashMap<>();
  private long heartbeat = -1;
  private volatile boolean stopped;

  public SessionRegistry(Vertx vertx, Context context, SessionLimits limits, PlatformEvents events, ExecOptions options) {
    this.vertx = vertx;
    this.context = context;
    this.limits = limits;
    this.events = events;
    this.options = options;
  }

  public Future<Void> start() {
    heartbeat = vertx.setPeriodic(ExecOptions.HEARTBEAT.toMillis(), id -> renewAll());
    // PlatformEvents subscribes again by itself after a Redis outage; nothing to reload here: a kill needs Redis to
    // be accepted at all, and one published in the moments before this replica is subscribed again leaves the session
    // listed, so the administrator can repeat it
    return events.subscribe(ExecTopics.SESSION_KILL, event -> context.runOnContext(v -> killLocal(event)));
  }

  /** Takes a slot for the session (429 when its user or organization has too many open sessions). */
  public Future<Void> admit(SessionInfo session) {
    if (stopped) {
      return Future.failedFuture(ApiException.unavailable("exec_stopping", "the exec proxy is stopping; try again"));
    }
    return limits.acquire(session, options.maxPerUser(), options.maxPerOrganization()).compose(refusal -> {
      if (refusal == null) {
        return Future.succeededFuture();
      }
      String message = refusal == SessionLimits.Refusal.USER
          ? "you already have " + options.maxPerUser() + " open exec sessions; close one first"
          : "the organization already has " + options.maxPerOrganization() + " open exec sessions; close one first";
      return Future.failedFuture(ApiException.tooManyRequests(message));
    });
  }

  /** Registers an admitted session so admin kills and shutdown reach it. */
  public void attach(LiveSession session) {
    local.put(session.info().id(), session);
  }

  /** Frees the session's slot; never fails (a slot that cannot be freed expires with its lease). */
  public Future<Void> release(SessionInfo session) {
    local.remove(session.id());
    return limits.release(session).recover(err -> {
      LOG.warn("releasing exec session {} failed (its slot expires within {} s): {}", session.id(),
          ExecOptions.LEASE.toSeconds(), err.getMessage(), err);
      return Future.succeededFuture();
    });
  }

  /** Every replica's open sessions. */
  public Future<List<JsonObject>> list() {
    return limits.list();
  }

  /** Asks the replica running the session to end it; false when no such session is open. */
  public Future<Boolean> kill(UUID sessionId) {
    return limits.get(sessionId).compose(session -> {
      if (session == null) {
        return Future.succeededFuture(false);
      }
      return events.publish(ExecTopics.SESSION_KILL, new JsonObject().put("session_id", sessionId.toString())).map(true);
    });
  }

  /** Ends every local session (as "exec proxy stopping") and waits for them. */
  public Future<Void> stop() {
    stopped = true;
    if (heartbeat >= 0) {
      vertx.cancelTimer(heartbeat);
    }
    List<Future<Void>> ending = local.values().stream().map(session -> session.terminate(EndReason.SHUTDOWN)).toList();
    return Future.join(ending).mapEmpty();
  }

  private void killLocal(JsonObject event) {
    if (stopped) {
      return;
    }
    String id = event.getString("session_id");
    LiveSession session;
    try {
      session = id == null ? null : local.get(UUID.fromString(id));
    } catch (IllegalArgumentException e) {
      return;
    }
    if (session != null) {
      LOG.info("exec session {} killed by a platform administrator", id);
      session.terminate(EndReason.ADMIN_KILL);
    }
  }

  private void renewAll() {
    for (LiveSession session : local.values()) {
      limits.renew(session.info()).onComplete(renewed -> {
        if (renewed.failed()) {
          LOG.warn("renewing exec session {} failed: {}", session.info().id(), renewed.cause().getMessage());
        } else if (Boolean.FALSE.equals(renewed.result())) {
          LOG.warn("exec session {} had lost its slot (lease expired); it holds one again", session.info().id());
        }
      });
    }
  }
}
