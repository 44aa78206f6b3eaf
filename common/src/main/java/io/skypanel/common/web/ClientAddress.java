package io.skypanel.common.web;

import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * Works out once per request who the client is, for audit rows and per-address throttling: the peer, or, when the
 * peer is a {@link TrustedProxies trusted proxy} (the edge router), the address it forwarded in X-Forwarded-For.
 * Handlers read it with {@link #of}.
 */
public final class ClientAddress implements PlatformHandler {

  private static final String KEY = "skypanel.clientAddress";

  private final TrustedProxies proxies;

  public ClientAddress(TrustedProxies proxies) {
    this.proxies = proxies;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(KEY, proxies.clientAddress(peer(ctx), ctx.request().headers().getAll(Headers.FORWARDED_FOR)));
    ctx.next();
  }

  /** The client's IP address (the peer's when no {@link ClientAddress} handler ran), or null when unknown. */
  public static String of(RoutingContext ctx) {
    String known = ctx.get(KEY);
    return known != null ? known : peer(ctx);
  }

  private static String peer(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    return remote == null ? null : remote.hostAddress();
  }
}
