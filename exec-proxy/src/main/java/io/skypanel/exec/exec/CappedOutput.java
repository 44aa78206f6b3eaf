package io.skypanel.exec.exec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** One output stream of a one-off exec: the first {@code limit} bytes kept, every byte counted. Thread-safe. */
final class CappedOutput {

  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final int limit;
  private long total;

  CappedOutput(int limit) {
    this.limit = limit;
  }

  synchronized void add(byte[] data) {
    total += data.length;
    int room = limit - kept.size();
    if (room > 0) {
      kept.write(data, 0, Math.min(room, data.length));
    }
  }

  synchronized long total() {
    return total;
  }

  synchronized boolean truncated() {
    return total > kept.size();
  }

  /** The kept bytes as UTF-8 (a sequence cut at the limit becomes U+FFFD). */
  synchronized String text() {
    return new String(kept.toByteArray(), StandardCharsets.UTF_8);
  }
}
