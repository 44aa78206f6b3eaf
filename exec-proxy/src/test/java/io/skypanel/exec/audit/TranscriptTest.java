package io.skypanel.exec.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class TranscriptTest {

  @Test
  void records_an_asciicast_with_input_output_and_resizes() throws IOException {
    Transcript transcript = Transcript.start(10_000, 80, 24, "/bin/sh", Instant.ofEpochSecond(1_700_000_000));
    transcript.input("ls\r".getBytes(StandardCharsets.UTF_8));
    transcript.resize(120, 40);
    byte[] euro = "€\r\n".getBytes(StandardCharsets.UTF_8);
    // a multi-byte character split across two chunks comes out whole
    transcript.output(Arrays.copyOfRange(euro, 0, 1));
    transcript.output(Arrays.copyOfRange(euro, 1, euro.length));
    List<String> lines = gunzip(transcript.finish());

    JsonObject header = new JsonObject(lines.get(0));
    assertThat(header.getInteger("version")).isEqualTo(2);
    assertThat(header.getInteger("width")).isEqualTo(80);
    assertThat(header.getLong("timestamp")).isEqualTo(1_700_000_000L);
    assertThat(new JsonArray(lines.get(1)).getList().subList(1, 3)).containsExactly("i", "ls\r");
    assertThat(new JsonArray(lines.get(2)).getList().subList(1, 3)).containsExactly("r", "120x40");
    assertThat(new JsonArray(lines.get(3)).getList().subList(1, 3)).containsExactly("o", "€\r\n");
    assertThat(lines).hasSize(4);
  }

  @Test
  void stops_at_its_limit_and_says_how_much_it_left_out() throws IOException {
    Transcript transcript = Transcript.start(2_000, 80, 24, "yes", Instant.now());
    byte[] chunk = "y\n".repeat(256).getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 40; i++) {
      transcript.output(chunk);
    }
    byte[] compressed = transcript.finish();
    List<String> lines = gunzip(compressed);
    long recorded = lines.stream().mapToLong(line -> line.getBytes(StandardCharsets.UTF_8).length + 1).sum();
    JsonArray marker = new JsonArray(lines.get(lines.size() - 1));
    assertThat(marker.getString(1)).isEqualTo("m");
    assertThat(marker.getString(2)).startsWith("transcript truncated: ");
    long omitted = Long.parseLong(marker.getString(2).replaceAll("\\D+", ""));
    assertThat(omitted).isGreaterThan(35L * chunk.length);
    assertThat(recorded - lines.get(lines.size() - 1).length() - 1).isLessThanOrEqualTo(2_000);
    assertThat(transcript.finish()).isEqualTo(compressed);
  }

  private static List<String> gunzip(byte[] gzip) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }
}
