package io.skypanel.controlplane.paas.builds.buildpacks;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * An exec's output as it streams (on docker-java's stream thread): split into lines per stream, each line passed to
 * the build log, stdout kept when asked (a release's YAML, a detect's name), and the last lines of both (and the last
 * stderr lines apart) kept for the failure message. {@link #done()} completes when the stream ends.
 */
final class OutputLines extends ResultCallback.Adapter<Frame> {

  static final int TAIL_LINES = 20;
  /** stderr lines kept apart: the engine copies stdout and stderr concurrently, so an error may arrive early. */
  static final int ERROR_LINES = 5;
  private static final int MAX_LINE = 4096;

  private final Consumer<String> log;
  private final boolean keepStdout;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final List<String> stdout = new ArrayList<>();
  private final Deque<String> tail = new ArrayDeque<>();
  private final Deque<String> errors = new ArrayDeque<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  OutputLines(Consumer<String> log, boolean keepStdout) {
    this.log = log;
    this.keepStdout = keepStdout;
  }

  @Override
  public synchronized void onNext(Frame frame) {
    boolean isErr = frame.getStreamType() == StreamType.STDERR;
    ByteArrayOutputStream buffer = isErr ? err : out;
    for (byte b : frame.getPayload()) {
      if (b == '\n' || buffer.size() >= MAX_LINE) {
        line(buffer, isErr);
      } else {
        buffer.write(b);
      }
    }
  }

  private void line(ByteArrayOutputStream buffer, boolean isErr) {
    String text = buffer.toString(StandardCharsets.UTF_8);
    buffer.reset();
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    if (keepStdout && !isErr) {
      stdout.add(text);
    } else {
      log.accept(text);
    }
    keep(tail, text, TAIL_LINES);
    if (isErr) {
      keep(errors, text, ERROR_LINES);
    }
  }

  private static void keep(Deque<String> lines, String text, int limit) {
    lines.addLast(text);
    if (lines.size() > limit) {
      lines.removeFirst();
    }
  }

  @Override
  public synchronized void onComplete() {
    if (out.size() > 0) {
      line(out, false);
    }
    if (err.size() > 0) {
      line(err, true);
    }
    done.complete(null);
    super.onComplete();
  }

  @Override
  public void onError(Throwable throwable) {
    done.completeExceptionally(throwable);
    super.onError(throwable);
  }

  CompletableFuture<Void> done() {
    return done;
  }

  synchronized List<String> stdout() {
    return List.copyOf(stdout);
  }

  /** The last lines of the output, then the last stderr lines that are not among them (for failure messages). */
  synchronized List<String> tail() {
    List<String> lines = new ArrayList<>(tail);
    errors.stream().filter(line -> !tail.contains(line)).forEach(lines::add);
    return lines;
  }
}
