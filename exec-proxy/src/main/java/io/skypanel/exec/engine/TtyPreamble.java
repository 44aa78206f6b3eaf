package io.skypanel.exec.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Makes a TTY exec's output start with a known byte, and takes that byte away again.
 *
 * <p>A TTY exec's output is a raw byte stream, but docker-java decides between raw and multiplexed framing from
 * the stream's first bytes: output that begins with a NUL, 0x01 or 0x02 byte (e.g. {@code head -c 1000 /dev/zero})
 * is taken for an 8-byte frame header and lost. The console therefore runs its command through
 * {@code /bin/sh -c 'printf ESC[0m; exec "$@"'}: the first byte is ESC, docker-java reads the stream as raw from
 * then on, and {@link Stripper} removes those four bytes before anything reaches the client, the transcript or the
 * byte counts. {@code exec} replaces the shell, so the command keeps its process, exit code and signals. Images
 * without {@code /bin/sh} have no console shell either; there the wrapper fails like the command would.
 */
public final class TtyPreamble {

  /** ESC [ 0 m: "reset attributes", harmless even if it ever reached a terminal. */
  static final byte[] BYTES = "\u001b[0m".getBytes(StandardCharsets.US_ASCII);

  private TtyPreamble() {
  }

  /** {@code argv} run through the preamble-printing shell. */
  public static List<String> wrap(List<String> argv) {
    List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", "printf '\\033[0m'; exec \"$@\"", "sh"));
    wrapped.addAll(argv);
    return wrapped;
  }

  /** Removes the preamble from the start of one exec's output, however the bytes are split into frames. */
  public static final class Stripper {

    private int matched;
    private boolean done;

    /** The part of {@code payload} that is the command's own output (possibly empty). */
    public byte[] strip(byte[] payload) {
      if (done) {
        return payload;
      }
      int i = 0;
      while (i < payload.length && matched < BYTES.length) {
        if (payload[i] != BYTES[matched]) {
          // not our preamble (the wrapper itself failed): from here on everything is output
          done = true;
          byte[] kept = Arrays.copyOf(BYTES, matched + payload.length - i);
          System.arraycopy(payload, i, kept, matched, payload.length - i);
          return kept;
        }
        matched++;
        i++;
      }
      if (matched == BYTES.length) {
        done = true;
      }
      return Arrays.copyOfRange(payload, i, payload.length);
    }
  }
}
