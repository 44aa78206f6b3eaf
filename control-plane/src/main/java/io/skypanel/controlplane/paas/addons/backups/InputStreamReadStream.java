package io.skypanel.controlplane.paas.addons.backups;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A blocking {@link InputStream} as a Vert.x {@link ReadStream}, created paused: each chunk is read on a worker only
 * while there is demand, so a slow consumer (a download's HTTP response, through {@code pipeTo}) holds the reads
 * back and at most one chunk is in memory. Handlers run on the context that created the stream. Dropping the data
 * handler before the end (a consumer gone) cancels the input through {@code cancel} and closes it.
 */
final class InputStreamReadStream implements ReadStream<Buffer> {

  private static final Logger LOG = LoggerFactory.getLogger(InputStreamReadStream.class);
  private static final int CHUNK = 64 * 1024;

  private final Context context;
  private final WorkerExecutor workers;
  private final InputStream in;
  private final Runnable cancel;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand;
  private boolean reading;
  private boolean done;

  /** @param cancel stops the transfer behind {@code in} when the consumer leaves early (closing alone may drain it) */
  InputStreamReadStream(Context context, WorkerExecutor workers, InputStream in, Runnable cancel) {
    this.context = context;
    this.workers = workers;
    this.in = in;
    this.cancel = cancel;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.handler = handler;
    if (handler == null && !done) {
      finish(true);
    } else {
      readNext();
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    demand = 0;
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    if (amount > 0) {
      demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
      readNext();
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  private void readNext() {
    if (reading || done || demand == 0 || handler == null) {
      return;
    }
    reading = true;
    workers.<byte[]>executeBlocking(() -> {
      byte[] chunk = new byte[CHUNK];
      int n = in.readNBytes(chunk, 0, CHUNK);
      return n == 0 ? null : n == CHUNK ? chunk : Arrays.copyOf(chunk, n);
    }, true).onComplete(result -> context.runOnContext(v -> {
      reading = false;
      if (done) {
        return;
      }
      if (result.failed()) {
        finish(true);
        if (exceptionHandler != null) {
          exceptionHandler.handle(result.cause());
        } else {
          LOG.warn("reading a stored backup failed: {}", result.cause().getMessage());
        }
      } else if (result.result() == null) {
        finish(false);
        if (endHandler != null) {
          endHandler.handle(null);
        }
      } else {
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        Handler<Buffer> current = handler;
        if (current != null) {
          current.handle(Buffer.buffer(result.result()));
        }
        readNext();
      }
    }));
  }

  /** Closes the input on a worker (closing an HTTP body blocks); {@code early} also cancels the transfer. */
  private void finish(boolean early) {
    done = true;
    workers.executeBlocking(() -> {
      if (early && cancel != null) {
        cancel.run();
      }
      try {
        in.close();
      } catch (IOException e) {
        LOG.debug("closing a stored backup's stream: {}", e.getMessage());
      }
      return null;
    }, false);
  }
}
