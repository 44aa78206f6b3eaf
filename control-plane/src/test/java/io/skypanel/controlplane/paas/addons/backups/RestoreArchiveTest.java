package io.skypanel.controlplane.paas.addons.backups;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestoreArchiveTest {

  private static final byte[] DUMP = "PGDMP".repeat(1000).getBytes(StandardCharsets.US_ASCII); // 5000 bytes: not a block multiple

  @Test
  void holds_the_directory_the_whole_dump_and_then_the_marker() throws Exception {
    byte[] stored = gzip(DUMP);
    List<String> names = new ArrayList<>();
    byte[] dump = null;
    try (TarArchiveInputStream tar = new TarArchiveInputStream(RestoreArchive.of(new ByteArrayInputStream(stored), DUMP.length, sha256(stored)))) {
      for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        names.add(entry.getName());
        if (entry.getName().endsWith("/dump")) {
          dump = tar.readAllBytes();
        }
      }
    }
    assertThat(names).containsExactly("skypanel-restore/", "skypanel-restore/dump", "skypanel-restore/ready");
    assertThat(dump).isEqualTo(DUMP);
  }

  @Test
  void a_dump_not_matching_its_checksum_fails_before_the_marker() throws Exception {
    byte[] stored = gzip(DUMP);
    assertFailsBeforeMarker(RestoreArchive.of(new ByteArrayInputStream(stored), DUMP.length, "0".repeat(64)), "checksum");
  }

  @Test
  void a_dump_shorter_or_longer_than_recorded_fails_before_the_marker() throws Exception {
    byte[] stored = gzip(DUMP);
    assertFailsBeforeMarker(RestoreArchive.of(new ByteArrayInputStream(stored), DUMP.length + 1, sha256(stored)), "shorter");
    assertFailsBeforeMarker(RestoreArchive.of(new ByteArrayInputStream(stored), DUMP.length - 1, sha256(stored)), "longer");
  }

  @Test
  void a_stored_dump_that_is_not_a_whole_gzip_stream_is_called_damaged() throws Exception {
    byte[] stored = gzip(DUMP);
    byte[] cut = java.util.Arrays.copyOf(stored, stored.length - 10);
    assertFailsBeforeMarker(RestoreArchive.of(new ByteArrayInputStream(cut), DUMP.length, null), "damaged");
  }

  @Test
  void a_dump_over_8_gib_gets_a_header_the_tar_reader_understands() throws Exception {
    long size = 9L << 30;
    try (TarArchiveInputStream tar = new TarArchiveInputStream(RestoreArchive.of(new ByteArrayInputStream(gzip(DUMP)), size, null))) {
      tar.getNextEntry();
      assertThat(tar.getNextEntry().getSize()).isEqualTo(size);
    }
  }

  @Test
  void counts_the_size_of_a_dump_recorded_without_it() throws Exception {
    assertThat(RestoreArchive.countDumpBytes(new ByteArrayInputStream(gzip(DUMP)))).isEqualTo(DUMP.length);
  }

  /** Reading the whole stream fails with {@code reason}, and the marker's name never appeared before that. */
  private static void assertFailsBeforeMarker(RestoreArchive archive, String reason) {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    assertThatThrownBy(() -> archive.transferTo(seen)).isInstanceOf(IOException.class).hasMessageContaining(reason);
    assertThat(seen.toString(StandardCharsets.US_ASCII)).doesNotContain("skypanel-restore/ready");
    assertThat(archive.damage()).as("the reason kept for the caller").hasMessageContaining(reason);
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(data);
    }
    return out.toByteArray();
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
