package io.skypanel.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The SOCKS5 conversation of one client connection: no authentication, CONNECT to an IPv4 literal the
 * {@link DestinationPolicy} allows, and then the switch to {@link RelayHandler}s on both connections.
 *
 * <p>Replies: a method list without "no authentication" gets {@code 0xFF}; a command other than CONNECT gets
 * {@code 0x07}; an IPv6 address or a name (other than a written IPv4 literal) gets {@code 0x08} — the relay
 * resolves nothing; a destination the policy refuses gets {@code 0x02} and no connection is attempted; a failed
 * connect gets what {@link ConnectFailures} says (refused {@code 0x05}, unreachable or timed out {@code 0x04},
 * network unreachable {@code 0x03}). Every refusal closes the connection after the reply.
 */
final class SocksHandshakeHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = Logger.getLogger(SocksHandshakeHandler.class.getName());
  static final String ENCODER = "socks-encoder";
  static final String DECODER = "socks-decoder";
  static final String NAME = "socks-handshake";

  private final RelaySettings settings;
  // bytes a client sent after its CONNECT, before the reply (pipelining): forwarded once connected
  private final Queue<Object> early = new ArrayDeque<>();
  private Channel outbound;

  SocksHandshakeHandler(RelaySettings settings) {
    this.settings = settings;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof DecoderResultProvider decoded && decoded.decoderResult() != DecoderResult.SUCCESS) {
      ReferenceCountUtil.release(msg);
      ctx.close();  // not SOCKS5: nothing meaningful to answer
    } else if (msg instanceof Socks5InitialRequest initial) {
      greet(ctx, initial);
    } else if (msg instanceof Socks5CommandRequest command) {
      command(ctx, command);
    } else if (outbound != null || ctx.pipeline().get(Socks5CommandRequestDecoder.class) != null) {
      early.add(msg);
    } else {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  private void greet(ChannelHandlerContext ctx, Socks5InitialRequest initial) {
    if (!initial.authMethods().contains(Socks5AuthMethod.NO_AUTH)) {
      ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.pipeline().replace(DECODER, DECODER, new Socks5CommandRequestDecoder());
    ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.NO_AUTH));
  }

  private void command(ChannelHandlerContext ctx, Socks5CommandRequest request) {
    if (request.type() != Socks5CommandType.CONNECT) {
      refuse(ctx, Socks5CommandStatus.COMMAND_UNSUPPORTED, request);
      return;
    }
    Inet4Address destination = ipv4Literal(request);
    if (destination == null) {
      refuse(ctx, Socks5CommandStatus.ADDRESS_UNSUPPORTED, request);
      return;
    }
    if (!settings.policy().allows(destination)) {
      refuse(ctx, Socks5CommandStatus.FORBIDDEN, request);
      return;
    }
    Channel inbound = ctx.channel();
    inbound.config().setAutoRead(false);  // nothing to forward to until the connection stands
    ChannelFuture connecting = new Bootstrap()
        .group(inbound.eventLoop())  // same loop: the pair's handlers never race each other
        .channel(settings.transport().socketChannel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMillis())
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, settings.waterMark())
        .option(ChannelOption.ALLOCATOR, settings.allocator())
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            settings.channels().add(channel);
          }
        })
        .connect(new InetSocketAddress(destination, request.dstPort()));
    outbound = connecting.channel();
    connecting.addListener(connected -> {
      if (!connected.isSuccess()) {
        refuse(ctx, ConnectFailures.statusOf(connected.cause()), request);
      } else if (!inbound.isActive()) {
        outbound.close();
      } else {
        succeed(ctx, (InetSocketAddress) outbound.localAddress());
      }
    });
  }

  private void succeed(ChannelHandlerContext ctx, InetSocketAddress bound) {
    Channel inbound = ctx.channel();
    ctx.writeAndFlush(new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS, Socks5AddressType.IPv4,
        bound.getAddress().getHostAddress(), bound.getPort())).addListener(replied -> {
      if (!replied.isSuccess()) {
        inbound.close();
        outbound.close();
        return;
      }
      outbound.pipeline().addLast(new RelayHandler(inbound));
      inbound.pipeline().remove(ENCODER);
      inbound.pipeline().remove(DECODER);  // hands on any bytes it still held (they reach channelRead below)
      inbound.pipeline().addLast(new RelayHandler(outbound));
      for (Object msg = early.poll(); msg != null; msg = early.poll()) {
        outbound.write(msg);
      }
      outbound.flush();
      inbound.pipeline().remove(this);
      inbound.config().setAutoRead(true);
      outbound.config().setAutoRead(true);
    });
  }

  private void refuse(ChannelHandlerContext ctx, Socks5CommandStatus status, Socks5CommandRequest request) {
    if (LOG.isLoggable(Level.FINE)) {
      LOG.fine(() -> "refused " + request.type() + " " + request.dstAddr() + ":" + request.dstPort() + " from "
          + ctx.channel().remoteAddress() + ": " + status);
    }
    ctx.writeAndFlush(new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** The destination when it is an IPv4 address, given as such or as a name that is an IPv4 literal. */
  private static Inet4Address ipv4Literal(Socks5CommandRequest request) {
    boolean literal = request.dstAddrType() == Socks5AddressType.IPv4
        || request.dstAddrType() == Socks5AddressType.DOMAIN && NetUtil.isValidIpV4Address(request.dstAddr());
    if (!literal) {
      return null;
    }
    // from a literal, never a lookup
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(request.dstAddr());
    return address instanceof Inet4Address ipv4 ? ipv4 : null;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseEarly();
    if (outbound != null) {
      outbound.close();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private void releaseEarly() {
    for (Object msg = early.poll(); msg != null; msg = early.poll()) {
      ReferenceCountUtil.release(msg);
    }
  }
}
