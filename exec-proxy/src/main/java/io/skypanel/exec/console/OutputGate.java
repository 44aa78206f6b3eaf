package io.skypanel.exec.console;

/**
 * Backpressure from the WebSocket to the engine. docker-java hands the exec's output to a callback on its own
 * stream thread; that thread passes each chunk to the event loop and then waits here while the WebSocket's write
 * queue is full or too much output is still on its way to it. While it waits it does not read the engine's
 * connection, so the engine stops reading the TTY and the process blocks on its next write.
 */
final class OutputGate {

  private final long maxInFlight;
  private long inFlight;
  private boolean full;
  private boolean released;

  OutputGate(long maxInFlight) {
    this.maxInFlight = maxInFlight;
  }

  /** Waits (on the stream thread) until {@code bytes} more may be handed to the event loop. */
  synchronized void acquire(int bytes) throws InterruptedException {
    while (!released && (full || inFlight >= maxInFlight)) {
      wait();
    }
    inFlight += bytes;
  }

  /** The event loop has written (or dropped) a chunk. */
  synchronized void delivered(int bytes) {
    inFlight -= bytes;
    notifyAll();
  }

  /** The WebSocket's write queue is full. */
  synchronized void shut() {
    full = true;
  }

  /** The WebSocket's write queue drained. */
  synchronized void open() {
    full = false;
    notifyAll();
  }

  /** The session is ending: nobody waits here again. */
  synchronized void release() {
    released = true;
    notifyAll();
  }
}
