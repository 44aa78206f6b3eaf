package io.skypanel.exec.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;

/**
 * A session recorded in full, for organizations whose isolation tier has {@code transcript_exec}: an
 * <a href="https://docs.asciinema.org/manual/asciicast/v2/">asciicast v2</a> recording (a JSON header line, then
 * one {@code [seconds, code, data]} line per event: {@code "o"} output, {@code "i"} input, {@code "r"} resize,
 * {@code "m"} marker), gzip-compressed as it is written. Recording stops once {@code limit} uncompressed bytes are
 * written; a final marker then says how much was left out. Thread-safe: output arrives on the engine's stream
 * thread, input on the event loop.
 */
public final class Transcript {

  private final ByteArrayOutputStream compressed = new ByteArrayOutputStream();
  private final GZIPOutputStream gzip;
  private final long startNanos = System.nanoTime();
  private final long limit;
  private final Utf8 outputText = new Utf8();
  private final Utf8 inputText = new Utf8();
  private long written;
  private long omitted;
  private boolean finished;

  private Transcript(long limit) {
    this.limit = limit;
    try {
      this.gzip = new GZIPOutputStream(compressed, 8192);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a recording with its header. */
  public static Transcript start(long limit, int cols, int rows, String command, Instant startedAt) {
    Transcript transcript = new Transcript(limit);
    transcript.line(new JsonObject()
        .put("version", 2)
        .put("width", cols)
        .put("height", rows)
        .put("timestamp", startedAt.getEpochSecond())
        .put("command", command)
        .put("env", new JsonObject().put("TERM", "xterm"))
        .encode(), true);
    return transcript;
  }

  public synchronized void output(byte[] data) {
    if (omitted > 0) {
      omitted += data.length; // past the limit: count, do not decode
      return;
    }
    event("o", outputText.decode(data), data.length);
  }

  public synchronized void input(byte[] data) {
    event("i", inputText.decode(data), data.length);
  }

  public synchronized void resize(int cols, int rows) {
    event("r", cols + "x" + rows, 0);
  }

  /** Ends the recording and returns the gzip bytes; later events are ignored. */
  public synchronized byte[] finish() {
    if (!finished) {
      if (omitted > 0) {
        line(eventLine("m", "transcript truncated: " + omitted + " bytes of session data not recorded"), true);
      }
      finished = true;
      try {
        gzip.finish();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return compressed.toByteArray();
  }

  private void event(String code, String data, int rawBytes) {
    if (finished || (data.isEmpty() && rawBytes > 0)) {
      return;
    }
    String line = eventLine(code, data);
    if (!line(line, false)) {
      omitted += Math.max(rawBytes, 1);
    }
  }

  private String eventLine(String code, String data) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    return new JsonArray().add(Math.round(seconds * 1e6) / 1e6).add(code).add(data).encode();
  }

  /** Writes one line unless it would pass the limit ({@code force} for the header and the final marker). */
  private boolean line(String line, boolean force) {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    if (!force && (omitted > 0 || written + bytes.length > limit)) {
      return false;
    }
    try {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    written += bytes.length;
    return true;
  }

  /** Decodes a byte stream as UTF-8 across chunk boundaries; malformed bytes become U+FFFD. */
  private static final class Utf8 {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private byte[] pending = new byte[0];

    String decode(byte[] data) {
      ByteBuffer in = ByteBuffer.allocate(pending.length + data.length);
      in.put(pending).put(data).flip();
      CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
      decoder.decode(in, out, false);
      pending = new byte[in.remaining()];
      in.get(pending);
      out.flip();
      return out.toString();
    }
  }
}
