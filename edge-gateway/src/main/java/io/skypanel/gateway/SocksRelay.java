package io.skypanel.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A SOCKS5 relay listening on one address (never the wildcard: see {@link GatewayMain}). Each accepted
 * connection speaks SOCKS5 ({@link SocksHandshakeHandler}) and is then relayed to its destination
 * ({@link RelayHandler}).
 *
 * <p>Memory: the gateway runs with a 48 MiB heap, so buffers are direct and pooled in 1 MiB chunks (Netty's
 * default would be 4 MiB chunks per arena and one arena per core), and each connection buffers at most about
 * 64 KiB of unsent data per direction ({@link #DEFAULT_WATER_MARK}) before it stops reading the other side.
 */
public final class SocksRelay implements AutoCloseable {

  /** Stop reading the other side above 64 KiB queued for a connection, resume below 32 KiB. */
  public static final WriteBufferWaterMark DEFAULT_WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
  private static final int PAGE_SIZE = 8192;
  private static final int MAX_ORDER = 7;  // 8 KiB << 7 = 1 MiB chunks

  private final EventLoopGroup group;
  private final RelaySettings settings;
  private final Channel server;

  private SocksRelay(EventLoopGroup group, RelaySettings settings, Channel server) {
    this.group = group;
    this.settings = settings;
    this.server = server;
  }

  /** Binds {@code listen} and serves until {@link #close()}; fails when the address cannot be bound. */
  public static SocksRelay start(InetSocketAddress listen, DestinationPolicy policy, int connectTimeoutMillis, int threads)
      throws InterruptedException {
    return start(listen, policy, connectTimeoutMillis, threads, Transport.best());
  }

  static SocksRelay start(InetSocketAddress listen, DestinationPolicy policy, int connectTimeoutMillis, int threads,
                          Transport transport) throws InterruptedException {
    if (listen.getAddress() == null || listen.getAddress().isAnyLocalAddress()) {
      throw new IllegalArgumentException("the relay binds one address, never the wildcard: " + listen);
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
    PooledByteBufAllocator allocator = new PooledByteBufAllocator(true, 0, threads, PAGE_SIZE, MAX_ORDER, 64, 16, true);
    RelaySettings settings = new RelaySettings(policy, transport, connectTimeoutMillis, DEFAULT_WATER_MARK, allocator,
        new DefaultChannelGroup("socks-relay", GlobalEventExecutor.INSTANCE));
    try {
      Channel server = new ServerBootstrap()
          .group(group)
          .channel(transport.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 1024)
          .option(ChannelOption.ALLOCATOR, allocator)
          .childOption(ChannelOption.ALLOCATOR, allocator)
          .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, settings.waterMark())
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
              settings.channels().add(channel);
              channel.pipeline()
                  .addLast(SocksHandshakeHandler.ENCODER, Socks5ServerEncoder.DEFAULT)
                  .addLast(SocksHandshakeHandler.DECODER, new Socks5InitialRequestDecoder())
                  .addLast(SocksHandshakeHandler.NAME, new SocksHandshakeHandler(settings));
            }
          })
          .bind(listen).sync().channel();
      return new SocksRelay(group, settings, server);
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** Where the relay listens (with the actual port when it was started on port 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  public String transportName() {
    return settings.transport().name();
  }

  /** Open client and destination connections (two per relayed connection). */
  public int openChannels() {
    return settings.channels().size();
  }

  /** Bytes the relay holds, queued for connections that are not taking them yet: bounded by the water marks. */
  public long pendingWriteBytes() {
    long total = 0;
    for (Channel channel : settings.channels()) {
      ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
      if (buffer != null) {
        total += buffer.totalPendingWriteBytes();
      }
    }
    return total;
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() {
    server.close().syncUninterruptibly();
    settings.channels().close().awaitUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
