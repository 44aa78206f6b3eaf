package io.skypanel.exec.console;

import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * The exec's stdin: the event loop offers what the client typed, docker-java's stdin thread reads it and writes it
 * to the engine. Bounded: {@link #offer} says when more than {@code highWater} bytes wait, so the caller pauses the
 * WebSocket; once the reader has brought the backlog down to {@code lowWater}, {@code onDrained} runs (on the
 * reader's thread) so the caller can resume it. Nothing here blocks the event loop; only the reader waits.
 */
final class StdinPipe extends InputStream {

  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private final int highWater;
  private final int lowWater;
  private final Runnable onDrained;
  private byte[] current;
  private int position;
  private long queued;
  private boolean full;
  private boolean closed;

  StdinPipe(int highWater, int lowWater, Runnable onDrained) {
    this.highWater = highWater;
    this.lowWater = lowWater;
    this.onDrained = onDrained;
  }

  /** Queues bytes for the exec; false when the backlog is now above the high-water mark (pause the source). */
  synchronized boolean offer(byte[] data) {
    if (closed || data.length == 0) {
      return !full;
    }
    chunks.add(data);
    queued += data.length;
    notifyAll();
    if (queued > highWater) {
      full = true;
    }
    return !full;
  }

  /** End of input: the reader gets -1 once the backlog is read; later offers are dropped. */
  synchronized void end() {
    closed = true;
    notifyAll();
  }

  /** Ends input and drops the backlog. */
  @Override
  public synchronized void close() {
    chunks.clear();
    current = null;
    queued = 0;
    end();
  }

  @Override
  public int read() throws java.io.IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws java.io.InterruptedIOException {
    boolean drained;
    int n;
    synchronized (this) {
      while (current == null && chunks.isEmpty() && !closed) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("stdin reader interrupted");
        }
      }
      if (current == null) {
        current = chunks.poll();
        position = 0;
        if (current == null) {
          return -1;
        }
      }
      n = Math.min(length, current.length - position);
      System.arraycopy(current, position, buffer, offset, n);
      position += n;
      if (position == current.length) {
        current = null;
      }
      queued -= n;
      drained = full && queued <= lowWater;
      if (drained) {
        full = false;
      }
    }
    if (drained) {
      onDrained.run();
    }
    return n;
  }

  @Override
  public synchronized int available() {
    return current == null ? 0 : current.length - position;
  }
}
