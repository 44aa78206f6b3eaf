package io.skypanel.controlplane.paas.runs;

/**
 * What the task of an attached (interactive) run runs: a keeper that only holds the container open, while the exec
 * proxy runs the run's command in it with a TTY ({@code docker exec}), exactly like a console session.
 *
 * <p>Why a keeper and an exec rather than the command as the task's process with a hijacked {@code docker attach}:
 * the exec gives the command's own exit status from the engine ({@code ExecInspect}), the exec proxy's console
 * machinery (stdin back-pressure, resize, idle and maximum limits, killing what the session started, transcripts and
 * the audit row) applies unchanged, and nothing the command prints is lost before the client attaches, since it only
 * starts once the client is there. The keeper exits on SIGTERM at once (so removing the service is quick) and by
 * itself a minute after the run's timeout, by which time the supervisor has already ended the run as {@code timeout}.
 */
final class RunKeeper {

  private static final int GRACE_S = 60;

  private RunKeeper() {
  }

  /** The keeper's {@code /bin/sh -c} script for a run of {@code timeoutSeconds}. */
  static String script(int timeoutSeconds) {
    return "trap 'exit 0' TERM INT HUP; sleep " + (timeoutSeconds + GRACE_S) + " & wait $!";
  }
}
