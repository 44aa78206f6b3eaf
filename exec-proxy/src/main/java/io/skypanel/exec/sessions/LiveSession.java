package io.skypanel.exec.sessions;

import io.vertx.core.Future;

/** A session this replica runs, as the registry sees it. */
public interface LiveSession {

  SessionInfo info();

  /**
   * Ends the session early (admin kill, shutdown); idempotent. Completes once the session has ended: its
   * processes stopped, its audit row closed, its slot released.
   */
  Future<Void> terminate(EndReason reason);
}
