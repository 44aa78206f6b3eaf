package io.skypanel.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;

/**
 * Copies what one connection reads to its peer, one such handler on each side of a relayed connection.
 *
 * <ul>
 *   <li>Backpressure: when the peer's outbound buffer passes its high water mark, this side stops reading
 *       (autoRead off) until the peer drains below the low mark, so a slow reader holds back a fast writer
 *       instead of the relay buffering without bound.</li>
 *   <li>Half-close: end of input on this side shuts down the peer's output (after what is pending), and the
 *       other direction keeps flowing; once both directions have ended both connections close.</li>
 *   <li>Errors and closes: either side closing or failing closes the other after its pending writes.</li>
 * </ul>
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {

  private final Channel peer;

  RelayHandler(Channel peer) {
    this.peer = peer;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // flushed in channelReadComplete: one system call per read batch rather than per buffer
    peer.write(msg).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    if (!peer.isWritable()) {
      // in this order: the flush may drain the peer at once, and its writability event then turns reading
      // back on; stopping reading after the flush would undo that and stall the pair for good
      ctx.channel().config().setAutoRead(false);
      peer.flush();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // this side drained: the peer, whose reads fill this side's buffer, may read again
    if (ctx.channel().isWritable()) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      Channel self = ctx.channel();
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
        if (!written.isSuccess() || !(peer instanceof DuplexChannel duplex)) {
          closeBoth(self);
          return;
        }
        duplex.shutdownOutput().addListener(shut -> {
          // the other direction has ended too (or the shutdown failed): nothing more can flow
          if (!shut.isSuccess() || duplex.isInputShutdown()) {
            closeBoth(self);
          }
        });
      });
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeAfterPending(peer);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // a reset or a failed write: the relay has nothing to say about it, it just ends the pair
    closeBoth(ctx.channel());
  }

  private void closeBoth(Channel self) {
    self.close();
    closeAfterPending(peer);
  }

  static void closeAfterPending(Channel channel) {
    if (channel.isActive()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
