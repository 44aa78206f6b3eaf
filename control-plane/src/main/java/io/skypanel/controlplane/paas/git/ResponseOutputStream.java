package io.skypanel.controlplane.paas.git;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * JGit's output stream on a worker thread, written to a chunked Vert.x response as JGit flushes (pkt-line and
 * side-band packets), so progress and {@code remote:} lines reach the git client while the push runs. Each flush is
 * handed to the response's context and waits until the response can take more (backpressure) or the client is gone.
 */
final class ResponseOutputStream extends OutputStream {

  private static final int CHUNK = 64 * 1024;
  private static final long STALL_SECONDS = 300;

  private final Context context;
  private final HttpServerResponse response;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  ResponseOutputStream(Context context, HttpServerResponse response) {
    this.context = context;
    this.response = response;
  }

  @Override
  public void write(int b) throws IOException {
    pending.write(b);
    if (pending.size() >= CHUNK) {
      flush();
    }
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    pending.write(bytes, offset, length);
    if (pending.size() >= CHUNK) {
      flush();
    }
  }

  @Override
  public void flush() throws IOException {
    if (pending.size() == 0) {
      return;
    }
    Buffer chunk = Buffer.buffer(pending.toByteArray());
    pending.reset();
    CompletableFuture<Void> taken = new CompletableFuture<>();
    context.runOnContext(v -> {
      if (response.closed() || response.ended()) {
        taken.completeExceptionally(new IOException("the git client went away"));
        return;
      }
      response.write(chunk).onFailure(taken::completeExceptionally);
      if (response.writeQueueFull()) {
        response.drainHandler(drained -> taken.complete(null));
      } else {
        taken.complete(null);
      }
    });
    try {
      taken.get(STALL_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing to the git client", e);
    } catch (ExecutionException e) {
      throw new IOException("writing to the git client failed", e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("the git client stopped reading for " + STALL_SECONDS + " s");
    }
  }

  @Override
  public void close() throws IOException {
    flush();
  }
}
