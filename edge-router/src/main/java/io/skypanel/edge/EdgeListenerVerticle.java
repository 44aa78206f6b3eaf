package io.skypanel.edge;

import io.skypanel.edge.proxy.EdgeProxy;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The edge's listeners on one event loop: plain HTTP and HTTPS (HTTP/2 by ALPN) sharing the ports with the
 * other instances, so every core accepts and proxies connections. Each instance has its own proxy (upstream
 * connection pool, rate-limit leases); the route table and everything else come from {@link EdgeProxy.Shared}.
 */
final class EdgeListenerVerticle extends VerticleBase {

  private final EdgeProxy.Shared shared;
  private final UnaryOperator<HttpServerOptions> secure;
  private final UnaryOperator<Handler<HttpServerRequest>> plainFront;
  private final Consumer<int[]> onListening;

  /**
   * @param secure makes an HTTPS listener of the options (TLS by SNI from the certificate store)
   * @param plainFront wraps the proxy on the plain listener (ACME HTTP-01 answers come before routing)
   * @param onListening told the actual plain and TLS ports
   */
  EdgeListenerVerticle(EdgeProxy.Shared shared, UnaryOperator<HttpServerOptions> secure, UnaryOperator<Handler<HttpServerRequest>> plainFront,
                       Consumer<int[]> onListening) {
    this.shared = shared;
    this.secure = secure;
    this.plainFront = plainFront;
    this.onListening = onListening;
  }

  @Override
  public Future<?> start() {
    EdgeOptions options = shared.options();
    Handler<HttpServerRequest> proxy = EdgeProxy.create(vertx, shared);
    HttpServerOptions plain = new HttpServerOptions().setHost(options.bindHost()).setPort(sharedPort(options.httpPort(), 1))
        .setIdleTimeout(options.clientIdleTimeoutSeconds());
    HttpServerOptions tls = secure.apply(new HttpServerOptions().setHost(options.bindHost()).setPort(sharedPort(options.httpsPort(), 2))
        .setIdleTimeout(options.clientIdleTimeoutSeconds()));
    Future<HttpServer> plainServer = listen(plain, plainFront.apply(proxy));
    Future<HttpServer> tlsServer = listen(tls, proxy);
    return Future.all(plainServer, tlsServer)
        .onSuccess(v -> onListening.accept(new int[] {plainServer.result().actualPort(), tlsServer.result().actualPort()}));
  }

  /** Port 0 asks for a random port; a negative one makes every instance share the same random port. */
  private static int sharedPort(int port, int slot) {
    return port == 0 ? -slot : port;
  }

  private Future<HttpServer> listen(HttpServerOptions options, Handler<HttpServerRequest> handler) {
    return vertx.createHttpServer(options)
        .connectionHandler(connection -> {
          shared.metrics().connectionOpened();
          connection.closeHandler(closed -> {
            shared.metrics().connectionClosed();
            shared.connections().closed(connection);
          });
        })
        .requestHandler(handler).listen()
        .recover(err -> Future.failedFuture(new IllegalStateException(
            "edge router cannot listen on " + options.getHost() + ":" + options.getPort() + ": " + err.getMessage(), err)));
  }
}
