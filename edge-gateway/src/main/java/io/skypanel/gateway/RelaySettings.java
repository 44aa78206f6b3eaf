package io.skypanel.gateway;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;

/** What every connection of one relay shares: policy, transport, limits, and the set of open channels. */
record RelaySettings(DestinationPolicy policy, Transport transport, int connectTimeoutMillis, WriteBufferWaterMark waterMark,
                     ByteBufAllocator allocator, ChannelGroup channels) {
}
