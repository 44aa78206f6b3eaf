package io.skypanel.common.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/** Tells when a gateway's relay is ready: it answers a SOCKS5 greeting on its loopback port. */
final class RelayProbe {

  private static final long READY_TIMEOUT_MS = 30_000;
  private static final long READY_RETRY_MS = 100;

  private RelayProbe() {
  }

  /**
   * Waits until the relay answers a SOCKS5 greeting: the engine's port proxy accepts connections before the
   * relay inside listens, so a plain connect proves nothing.
   */
  static Future<Void> await(Vertx vertx, int port) {
    NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(1000));
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
    return greet(vertx, client, port, deadline).eventually(client::close);
  }

  private static Future<Void> greet(Vertx vertx, NetClient client, int port, long deadline) {
    return client.connect(port, "127.0.0.1").compose(socket -> {
      Promise<Void> answered = io.vertx.core.Promise.promise();
      socket.handler(reply -> {
        if (reply.length() >= 2 && reply.getByte(0) == 5 && reply.getByte(1) == 0) {
          answered.tryComplete();
        } else {
          answered.tryFail("unexpected SOCKS greeting reply");
        }
      });
      socket.closeHandler(v -> answered.tryFail("closed before the SOCKS greeting reply"));
      socket.write(Buffer.buffer(new byte[] {5, 1, 0}));
      return answered.future().eventually(socket::close);
    }).recover(err -> {
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new IllegalStateException("edge gateway relay did not answer within " + READY_TIMEOUT_MS + " ms: " + err.getMessage()));
      }
      Promise<Void> retry = io.vertx.core.Promise.promise();
      vertx.setTimer(READY_RETRY_MS, t -> greet(vertx, client, port, deadline).onComplete(retry));
      return retry.future();
    });
  }
}
