package io.skypanel.logs.docker;

import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.skypanel.logs.stream.LogEntry;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns Docker's de-multiplexed log frames (requested with timestamps) into entries. A frame may hold part of a
 * line or several lines; the bytes of each stream are kept until their newline arrives. Each line starts with
 * its RFC 3339 timestamp and a space. Used by one reader thread at a time.
 */
final class DockerLines {

  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  List<LogEntry> accept(Frame frame) {
    boolean err = frame.getStreamType() == StreamType.STDERR;
    ByteArrayOutputStream buffer = err ? stderr : stdout;
    List<LogEntry> entries = new ArrayList<>();
    for (byte b : frame.getPayload()) {
      if (b == '\n') {
        entries.add(parse(buffer.toString(StandardCharsets.UTF_8), err ? "stderr" : "stdout"));
        buffer.reset();
      } else {
        buffer.write(b);
      }
    }
    return entries;
  }

  static LogEntry parse(String raw, String stream) {
    String text = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
    int space = text.indexOf(' ');
    if (space > 0) {
      try {
        Instant ts = Instant.parse(text.substring(0, space));
        return new LogEntry(ts.getEpochSecond() * 1_000_000_000L + ts.getNano(), stream, text.substring(space + 1));
      } catch (DateTimeParseException e) {
        // not prefixed: keep the whole line
      }
    }
    return new LogEntry(System.currentTimeMillis() * 1_000_000L, stream, text);
  }
}
