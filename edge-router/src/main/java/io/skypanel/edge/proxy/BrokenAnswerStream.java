package io.skypanel.edge.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

import java.util.function.Consumer;

/**
 * An upstream answer's body as the proxy pipes it to the client, telling {@code onBreak} (once) why it broke off.
 * vertx-http-proxy resets the client's connection when the body fails and keeps the cause to itself; the edge
 * logs it instead, so a truncated answer is never silent.
 */
final class BrokenAnswerStream implements ReadStream<Buffer> {

  private final ReadStream<Buffer> body;
  private final Consumer<Throwable> onBreak;
  private long bytes;

  BrokenAnswerStream(ReadStream<Buffer> body, Consumer<Throwable> onBreak) {
    this.body = body;
    this.onBreak = onBreak;
  }

  /** Bytes of the body that came through before the end or the break. */
  long bytes() {
    return bytes;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    body.exceptionHandler(handler == null ? null : err -> {
      onBreak.accept(err);
      handler.handle(err);
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    body.handler(handler == null ? null : chunk -> {
      bytes += chunk.length();
      handler.handle(chunk);
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    body.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    body.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    body.fetch(amount);
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    body.endHandler(endHandler);
    return this;
  }
}
