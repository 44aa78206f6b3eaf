package io.skypanel.controlplane.paas.addons.backups;

import io.skypanel.common.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The streamed restore's shell, run by the host's /bin/sh and GNU tail (the add-on images are Debian too). */
class RestoreScriptTest {

  private static final int HELD = (int) RestoreScript.HELD_BACK_BYTES;

  @TempDir
  Path dir;

  private Process start(Path file, Path marker, long size, Duration timeout, Path out) throws Exception {
    String script = RestoreScript.asItArrives(file.toString(), marker.toString(), size, timeout, "cat > " + out);
    return new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true).start();
  }

  private static byte[] dump(int size) {
    byte[] bytes = new byte[size];
    new Random(7).nextBytes(bytes);
    return bytes;
  }

  private static long sizeOf(Path path) {
    try {
      return Files.exists(path) ? Files.size(path) : -1;
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  @Test
  void the_restore_reads_the_dump_while_it_arrives_and_gets_all_of_it_once_the_marker_is_there() throws Exception {
    byte[] dump = dump(3 * HELD + 12345);
    Path file = dir.resolve("dump");
    Path marker = dir.resolve("ready");
    Path out = dir.resolve("restored");
    Process restore = start(file, marker, dump.length, Duration.ofSeconds(30), out);
    int early = dump.length - HELD;
    try (OutputStream growing = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      growing.write(dump, 0, early);
      growing.flush();
      // the dump is not whole yet, and the restore already has everything but the held-back part
      Eventually.await("the restore reading the arriving dump", Duration.ofSeconds(10), () -> sizeOf(out) == early ? true : null);
      growing.write(dump, early, dump.length - early);
    }
    Files.writeString(marker, "ok");
    assertThat(restore.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(restore.exitValue()).as(new String(restore.getInputStream().readAllBytes())).isZero();
    assertThat(Arrays.equals(Files.readAllBytes(out), dump)).as("the restore read the dump byte for byte").isTrue();
  }

  @Test
  void without_the_marker_the_restore_never_gets_the_dump_s_last_bytes() throws Exception {
    byte[] dump = dump(2 * HELD + 99);
    Path file = dir.resolve("dump");
    Path out = dir.resolve("restored");
    Files.write(file, dump); // every byte arrived, but its checksum was never proven: no marker follows
    Process restore = start(file, dir.resolve("ready"), dump.length, Duration.ofSeconds(1), out);
    assertThat(restore.waitFor(30, TimeUnit.SECONDS)).as("the wait for the marker is bounded").isTrue();
    assertThat(new String(restore.getInputStream().readAllBytes())).contains("no dump arrived");
    assertThat(Files.size(out)).as("the input ended before the held-back part").isEqualTo(dump.length - HELD);
  }
}
