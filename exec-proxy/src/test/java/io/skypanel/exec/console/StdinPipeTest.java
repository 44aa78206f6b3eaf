package io.skypanel.exec.console;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class StdinPipeTest {

  @Test
  void asks_to_pause_above_the_high_water_mark_and_to_resume_at_the_low_one() throws IOException {
    AtomicInteger drained = new AtomicInteger();
    StdinPipe pipe = new StdinPipe(100, 20, drained::incrementAndGet);
    assertThat(pipe.offer(new byte[60])).isTrue();
    assertThat(pipe.offer(new byte[60])).as("120 bytes waiting: pause").isFalse();

    byte[] buffer = new byte[50];
    assertThat(pipe.read(buffer, 0, 50)).isEqualTo(50);
    assertThat(drained).as("70 bytes still waiting").hasValue(0);
    assertThat(pipe.read(buffer, 0, 50)).isEqualTo(10);
    assertThat(pipe.read(buffer, 0, 50)).isEqualTo(50);
    assertThat(drained).as("10 bytes waiting: resume").hasValue(1);
  }

  @Test
  void ends_with_eof_once_closed_and_drops_what_was_queued() throws IOException {
    StdinPipe pipe = new StdinPipe(100, 20, () -> { });
    pipe.offer("ls\n".getBytes());
    pipe.close();
    assertThat(pipe.read(new byte[10], 0, 10)).isEqualTo(-1);
    assertThat(pipe.offer("more".getBytes())).isTrue();
    assertThat(pipe.read()).isEqualTo(-1);
  }
}
