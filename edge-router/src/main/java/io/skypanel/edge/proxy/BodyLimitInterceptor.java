package io.skypanel.edge.proxy;

import io.skypanel.edge.routing.Route;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Bounds request bodies (the route's {@code max_body_bytes}, else the edge's default): a declared
 * Content-Length over the limit is 413 before anything reaches the application; a chunked body that grows past
 * it fails the body stream: vertx-http-proxy resets the upstream request, so the application never sees a
 * truncated body as complete, and {@link UpstreamFailureInterceptor} answers 413 and closes the connection.
 */
public final class BodyLimitInterceptor implements ProxyInterceptor {

  /** Set in the proxy context when a streamed body went over the limit. */
  public static final String TOO_LARGE = "skypanel.bodyTooLarge";

  private final long defaultMaxBytes;

  public BodyLimitInterceptor(long defaultMaxBytes) {
    this.defaultMaxBytes = defaultMaxBytes;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    Route route = context.get(RouteInterceptor.ROUTE, Route.class);
    long max = route.policy().maxBodyBytes() > 0 ? route.policy().maxBodyBytes() : defaultMaxBytes;
    Body body = context.request().getBody();
    if (body == null) {
      return context.sendRequest();
    }
    if (body.length() > max) {
      // the client may still be sending the body: close the connection rather than read it all
      context.set(HopByHopHeadersInterceptor.CLOSE_CONNECTION, true);
      return Future.succeededFuture(ErrorPages.page(context, 413, "The request body is larger than this application accepts ("
          + max + " bytes)."));
    }
    if (body.length() < 0) {
      context.request().setBody(Body.body(new Bounded(body.stream(), max, () -> context.set(TOO_LARGE, max)), -1));
    }
    return context.sendRequest();
  }

  /** Passes a stream through until it has carried more than {@code max} bytes, then calls {@code onExceeded}. */
  private static final class Bounded implements ReadStream<Buffer> {

    private final ReadStream<Buffer> source;
    private final long max;
    private final Runnable onExceeded;
    private long seen;
    private boolean exceeded;
    private Handler<Throwable> exceptionHandler;

    Bounded(ReadStream<Buffer> source, long max, Runnable onExceeded) {
      this.source = source;
      this.max = max;
      this.onExceeded = onExceeded;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      source.handler(handler == null ? null : buffer -> {
        if (exceeded) {
          return;
        }
        seen += buffer.length();
        if (seen > max) {
          exceeded = true;
          onExceeded.run();
          if (exceptionHandler != null) {
            exceptionHandler.handle(new IllegalStateException("request body over " + max + " bytes"));
          }
          return;
        }
        handler.handle(buffer);
      });
      return this;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      exceptionHandler = handler;
      source.exceptionHandler(handler);
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      source.pause();
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      source.resume();
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      source.fetch(amount);
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
      source.endHandler(endHandler);
      return this;
    }
  }
}
