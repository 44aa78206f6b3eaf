package io.skypanel.controlplane.paas.builds;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcfileTest {

  @Test
  void reads_types_in_order_skipping_comments_and_blank_lines() {
    assertThat(Procfile.parse("# processes\nweb: node server.js --port $PORT\n\nWorker:  python work.py\r\nrelease: ./migrate\n"))
        .containsExactly(java.util.Map.entry("web", "node server.js --port $PORT"), java.util.Map.entry("worker", "python work.py"),
            java.util.Map.entry("release", "./migrate"));
  }

  @Test
  void rejects_a_malformed_line_naming_it() {
    assertThatThrownBy(() -> Procfile.parse("web: ok\nthis is not a process\n"))
        .isInstanceOf(BuildFailedException.class).hasMessageContaining("line 2");
  }
}
