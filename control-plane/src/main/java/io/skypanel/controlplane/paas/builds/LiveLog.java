package io.skypanel.controlplane.paas.builds;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The log of a running build: its tail (at most {@code capBytes} of UTF-8, oldest lines dropped first) for the
 * stored log and for readers, and the lines as they come for followers (SSE) and the submitter's listener. Builders
 * write from their own threads, so every method is thread-safe; listeners must not block.
 */
public final class LiveLog implements BuildLog {

  private final int capBytes;
  private final BuildLog listener;
  private final Deque<String> lines = new ArrayDeque<>();
  private final List<Follower> followers = new CopyOnWriteArrayList<>();
  private long bytes;
  private boolean ended;

  /** A reader of new lines until the end, when {@code onEnd} runs once. */
  public record Follower(Consumer<String> onLine, Runnable onEnd) {
  }

  public LiveLog(int capBytes, BuildLog listener) {
    this.capBytes = capBytes;
    this.listener = listener;
  }

  @Override
  public void line(String text) {
    String line = text.length() > 4096 ? text.substring(0, 4096) + "..." : text;
    synchronized (this) {
      if (ended) {
        return;
      }
      lines.addLast(line);
      bytes += size(line);
      while (bytes > capBytes && lines.size() > 1) {
        bytes -= size(lines.removeFirst());
      }
    }
    listener.line(line);
    followers.forEach(follower -> follower.onLine().accept(line));
  }

  /** The kept tail, one line per line. */
  public synchronized String text() {
    StringBuilder text = new StringBuilder();
    lines.forEach(line -> text.append(line).append('\n'));
    return text.toString();
  }

  /** The kept lines so far and, atomically, a subscription to the next ones; false once the log has ended. */
  public synchronized boolean follow(Follower follower, Consumer<List<String>> backlog) {
    backlog.accept(new ArrayList<>(lines));
    if (ended) {
      return false;
    }
    followers.add(follower);
    return true;
  }

  public void unfollow(Follower follower) {
    followers.remove(follower);
  }

  /** No more lines: followers are told once. */
  public void end() {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
    }
    followers.forEach(follower -> follower.onEnd().run());
    followers.clear();
  }

  private static long size(String line) {
    return line.getBytes(StandardCharsets.UTF_8).length + 1L;
  }
}
