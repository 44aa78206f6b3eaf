package io.skypanel.exec.sessions;

/**
 * Why a session ended: the audit status ({@code completed}, {@code failed}, {@code killed}, {@code timeout}), the
 * audit's end reason and the WebSocket close code a console gets (see docs/operations.md).
 */
public record EndReason(String status, String reason, short closeCode) {

  /** The process exited by itself; the close code then follows its exit code ({@link #exited(Integer)}). */
  public static final EndReason EXITED = new EndReason("completed", "process exited", (short) 1000);
  public static final EndReason CLIENT_CLOSED = new EndReason("killed", "client disconnected", (short) 1000);
  public static final EndReason IDLE = new EndReason("timeout", "idle timeout", (short) 4408);
  public static final EndReason MAX_DURATION = new EndReason("timeout", "maximum session duration reached", (short) 4410);
  public static final EndReason EXEC_TIMEOUT = new EndReason("timeout", "timeout_s elapsed", (short) 4408);
  public static final EndReason ADMIN_KILL = new EndReason("killed", "killed by a platform administrator", (short) 4403);
  public static final EndReason SHUTDOWN = new EndReason("killed", "exec proxy stopping", (short) 1001);

  /** The engine failed the stream or the exec could not start. */
  public static EndReason failed(String reason) {
    return new EndReason("failed", reason, (short) 1011);
  }

  /** Close code 1000 for exit code 0 (or unknown), 4000 + N for exit code N in 1..255. */
  public static EndReason exited(Integer exitCode) {
    if (exitCode == null || exitCode == 0) {
      return EXITED;
    }
    int code = exitCode > 0 && exitCode <= 255 ? 4000 + exitCode : 4255;
    return new EndReason("completed", "process exited", (short) code);
  }

  /** The same outcome with a note added to the reason (e.g. that the process could not be stopped). */
  public EndReason noting(String note) {
    return new EndReason(status, reason + " (" + note + ")", closeCode);
  }
}
