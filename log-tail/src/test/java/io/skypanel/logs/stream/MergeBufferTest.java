package io.skypanel.logs.stream;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The merge of independent follows: time order within the window, late lines kept rather than lost. */
class MergeBufferTest {

  private static LogEntry line(long ts, String process, String text) {
    return new LogEntry(ts, "stdout", text, process);
  }

  @Test
  void lines_of_two_sources_leave_in_time_order_once_they_waited_the_window() {
    MergeBuffer merge = new MergeBuffer(100);
    merge.add(List.of(line(10, "web", "w1"), line(30, "web", "w2")), 1000);
    merge.add(List.of(line(20, "worker", "k1")), 1050);
    assertThat(merge.drain(1099)).as("nothing has waited 100 ms yet").isEmpty();
    assertThat(merge.drain(1100)).extracting(LogEntry::line).containsExactly("w1", "k1", "w2");
    assertThat(merge.size()).isZero();
    assertThat(merge.late()).isZero();
  }

  @Test
  void a_line_held_back_waits_for_its_own_window_unless_an_older_arrival_releases_it() {
    MergeBuffer merge = new MergeBuffer(100);
    merge.add(List.of(line(10, "web", "w1")), 1000);
    merge.add(List.of(line(50, "worker", "k1")), 1080);
    assertThat(merge.drain(1100)).extracting(LogEntry::line).containsExactly("w1");
    assertThat(merge.drain(1180)).extracting(LogEntry::line).containsExactly("k1");
  }

  @Test
  void a_line_later_than_the_window_is_passed_on_with_the_newest_timestamp() {
    MergeBuffer merge = new MergeBuffer(100);
    merge.add(List.of(line(40, "web", "w1")), 1000);
    assertThat(merge.drain(1100)).extracting(LogEntry::line).containsExactly("w1");
    merge.add(List.of(line(20, "release", "r1")), 1200);
    List<LogEntry> late = merge.drain(1300);
    assertThat(late).containsExactly(line(40, "release", "r1"));
    assertThat(merge.late()).isEqualTo(1);
  }
}
