package io.skypanel.exec.sessions;

/** {@code PlatformEvents} topics of the exec proxy. */
public final class ExecTopics {

  /** {@code {"session_id": ...}}: the replica running that session ends it (killed by a platform administrator). */
  public static final String SESSION_KILL = "exec.session.kill";

  private ExecTopics() {
  }
}
