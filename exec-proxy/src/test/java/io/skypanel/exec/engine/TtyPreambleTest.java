package io.skypanel.exec.engine;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TtyPreambleTest {

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void the_preamble_is_removed_however_the_frames_split_it() {
    TtyPreamble.Stripper stripper = new TtyPreamble.Stripper();
    assertThat(stripper.strip(bytes("\u001b"))).isEmpty();
    assertThat(stripper.strip(bytes("[0"))).isEmpty();
    assertThat(stripper.strip(bytes("m\u0000\u0000hi"))).isEqualTo(bytes("\u0000\u0000hi"));
    assertThat(stripper.strip(bytes("\u001b[0m"))).as("later output is never touched").isEqualTo(bytes("\u001b[0m"));
  }

  @Test
  void output_without_the_preamble_passes_whole() {
    TtyPreamble.Stripper stripper = new TtyPreamble.Stripper();
    assertThat(stripper.strip(bytes("\u001b[1"))).as("a partial match that breaks off is output").isEqualTo(bytes("\u001b[1"));
    assertThat(stripper.strip(bytes("sh: not found"))).isEqualTo(bytes("sh: not found"));
  }

  @Test
  void the_command_runs_through_exec_so_it_keeps_its_process_and_exit_code() {
    assertThat(TtyPreamble.wrap(List.of("head", "-c", "10", "/dev/zero")))
        .containsExactly("/bin/sh", "-c", "printf '\\033[0m'; exec \"$@\"", "sh", "head", "-c", "10", "/dev/zero");
  }
}
