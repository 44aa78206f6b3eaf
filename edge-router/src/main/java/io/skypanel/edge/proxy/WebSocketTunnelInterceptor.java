package io.skypanel.edge.proxy;

import io.skypanel.edge.routing.Route;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.WriteStream;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * The edge's own WebSocket tunnel. vertx-http-proxy 5.0 upgrades the connection but then copies bytes with
 * plain {@code handler(other::write)}: no backpressure (a fast sender fills the edge's memory when the other side
 * reads slowly), and its non-101 path fails on a response the edge made itself (404, 429, 503 pages). This
 * interceptor is first in the chain, so it handles every WebSocket response last: edge pages and upstream
 * refusals are sent as they are; a 101 becomes two {@code pipeTo}s, which pause a side whose peer's write queue
 * is full and resume it on drain, and end (close) each side when the other ends. Bytes are counted both ways
 * for usage metering.
 */
public final class WebSocketTunnelInterceptor implements ProxyInterceptor {

  /** Told when a tunnel closes: the route and the bytes received from the client and sent to it. */
  public interface TunnelClosed {
    void closed(Route route, long bytesIn, long bytesOut);
  }

  private final TunnelClosed onClosed;

  public WebSocketTunnelInterceptor(TunnelClosed onClosed) {
    this.onClosed = onClosed;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    return context.sendRequest();
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    if (!context.isWebSocket()) {
      return context.sendResponse();
    }
    ProxyResponse response = context.response();
    HttpClientResponse upstream = response.proxiedResponse();
    if (upstream == null || response.getStatusCode() != 101) {
      return response.send();
    }
    HttpServerRequest incoming = context.request().proxiedRequest();
    HttpServerResponse toClient = incoming.response();
    toClient.setStatusCode(101);
    toClient.headers().addAll(response.headers());
    Route route = context.get(RouteInterceptor.ROUTE, Route.class);
    return incoming.toNetSocket().map(client -> {
      tunnel(client, upstream.netSocket(), route);
      return null;
    });
  }

  private void tunnel(NetSocket client, NetSocket upstream, Route route) {
    Counting toUpstream = new Counting(upstream);
    Counting toClient = new Counting(client);
    client.pipeTo(toUpstream);
    upstream.pipeTo(toClient);
    // a reset on either side closes the other too (pipeTo only ends it on a clean end)
    client.closeHandler(v -> {
      upstream.close();
      if (route != null) {
        onClosed.closed(route, toUpstream.bytes, toClient.bytes);
      }
    });
    upstream.closeHandler(v -> client.close());
  }

  /** Delegates to a socket and counts what is written to it. */
  private static final class Counting implements WriteStream<Buffer> {

    private final NetSocket socket;
    long bytes;

    Counting(NetSocket socket) {
      this.socket = socket;
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      socket.exceptionHandler(handler);
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      bytes += data.length();
      return socket.write(data);
    }

    @Override
    public Future<Void> end() {
      return socket.end();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      socket.setWriteQueueMaxSize(maxSize);
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return socket.writeQueueFull();
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      socket.drainHandler(handler);
      return this;
    }
  }
}
