package io.skypanel.gateway;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reader that stops reading stalls the writer on the other side of the relay, and the relay meanwhile holds
 * no more than its water mark (plus one read) instead of everything the writer offers.
 */
class SocksRelayBackpressureTest {

  private static final long TOTAL = 64L * 1024 * 1024;
  private static final int SMALL_BUFFER = 64 * 1024;
  private static final long STALL_MS = 2000;
  /**
   * Netty counts some bookkeeping bytes (about 96) per queued message in the pending total besides the payload; a few
   * queued reads add that much on top of the water mark plus one read (seen: 86 bytes over in one CI run).
   */
  private static final int NETTY_ENTRY_OVERHEAD = 4 * 1024;
  private SocksRelay relay;

  @BeforeEach
  void start() throws InterruptedException {
    relay = SocksRelay.start(new InetSocketAddress("127.0.0.1", 0), SocksRelayTest.ipv4("127.0.0.1")::equals, 2000, 1);
  }

  @AfterEach
  void stop() {
    relay.close();
  }

  @Test
  void a_slow_reader_stalls_a_fast_writer_and_the_relay_buffers_only_its_water_mark() throws Exception {
    byte[] block = new byte[1024 * 1024];
    new Random(7).nextBytes(block);
    try (ServerSocketChannel target = ServerSocketChannel.open()) {
      target.setOption(StandardSocketOptions.SO_RCVBUF, SMALL_BUFFER);  // inherited by the accepted connection
      target.bind(new InetSocketAddress("127.0.0.1", 0));
      CountDownLatch startReading = new CountDownLatch(1);
      CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAfter(target, startReading));

      try (SocketChannel client = SocketChannel.open()) {
        client.setOption(StandardSocketOptions.SO_SNDBUF, SMALL_BUFFER);
        client.connect(relay.address());
        SocksClient socks = SocksClient.over(client);
        assertThat(socks.connect("127.0.0.1", ((InetSocketAddress) target.getLocalAddress()).getPort()))
            .isEqualTo(SocksClient.SUCCEEDED);
        client.configureBlocking(false);
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        try (Selector selector = Selector.open()) {
          client.register(selector, SelectionKey.OP_WRITE);
          long stalledAt = write(client, selector, block, sent, 0, STALL_MS);

          assertThat(stalledAt).as("bytes accepted before the writer stalled").isLessThan(TOTAL / 2);
          assertThat(relay.pendingWriteBytes()).as("bytes queued inside the relay")
              .isLessThanOrEqualTo(SocksRelay.DEFAULT_WATER_MARK.high() + 64 * 1024 + NETTY_ENTRY_OVERHEAD);

          startReading.countDown();
          assertThat(write(client, selector, block, sent, stalledAt, 30_000)).as("bytes written once the reader reads").isEqualTo(TOTAL);
        }
        client.shutdownOutput();
        assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(sent.digest());
      }
    }
  }

  /** Writes from {@code from} up to {@link #TOTAL}; returns where it stopped when no progress came for {@code stallMs}. */
  private static long write(SocketChannel client, Selector selector, byte[] block, MessageDigest sent, long from, long stallMs)
      throws IOException {
    long written = from;
    while (written < TOTAL) {
      int offset = (int) (written % block.length);
      int length = (int) Math.min(block.length - offset, TOTAL - written);
      int n = client.write(ByteBuffer.wrap(block, offset, length));
      if (n > 0) {
        sent.update(block, offset, n);
        written += n;
      } else {
        selector.selectedKeys().clear();
        if (selector.select(stallMs) == 0) {
          return written;  // nobody took a byte for stallMs: the writer is held back
        }
      }
    }
    return written;
  }

  private static byte[] readAfter(ServerSocketChannel target, CountDownLatch startReading) {
    try (SocketChannel accepted = target.accept(); InputStream in = accepted.socket().getInputStream()) {
      startReading.await();
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 * 1024];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
      return digest.digest();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
