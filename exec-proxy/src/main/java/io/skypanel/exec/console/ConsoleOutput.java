package io.skypanel.exec.console;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.skypanel.exec.engine.ExecCalls;
import io.skypanel.exec.engine.TtyPreamble;

import java.io.Closeable;

/**
 * The exec's output stream, on docker-java's stream thread: strips the TTY preamble (see {@link TtyPreamble}; it
 * never counts as output), waits on the {@link OutputGate} while the client is behind, and hands each payload
 * and the stream's end to its {@link Listener}, which moves them onto the session's context.
 */
final class ConsoleOutput implements ResultCallback<Frame> {

  /** What the session does with the stream; called on the stream thread. */
  interface Listener {
    void started(Closeable stream);

    void output(byte[] payload);

    /** The stream ended: null when the process exited, else the engine's error. */
    void ended(Throwable error);
  }

  private final OutputGate gate;
  private final Listener listener;
  private final TtyPreamble.Stripper preamble = new TtyPreamble.Stripper();
  private volatile Closeable stream;

  ConsoleOutput(OutputGate gate, Listener listener) {
    this.gate = gate;
    this.listener = listener;
  }

  @Override
  public void onStart(Closeable closeable) {
    stream = closeable;
    listener.started(closeable);
  }

  @Override
  public void onNext(Frame frame) {
    byte[] payload = frame.getPayload() == null ? null : preamble.strip(frame.getPayload());
    if (payload == null || payload.length == 0) {
      return;
    }
    try {
      gate.acquire(payload.length);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    listener.output(payload);
  }

  @Override
  public void onError(Throwable error) {
    listener.ended(error);
  }

  @Override
  public void onComplete() {
    listener.ended(null);
  }

  @Override
  public void close() {
    ExecCalls.closeQuietly(stream);
  }
}
