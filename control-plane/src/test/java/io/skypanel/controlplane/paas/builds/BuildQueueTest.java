package io.skypanel.controlplane.paas.builds;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The queue's order: per-organization and global limits, organizations in turn, each one's builds in order. */
class BuildQueueTest {

  private final List<String> started = new ArrayList<>();

  private BuildQueue.Entry entry(UUID org, String name) {
    return new BuildQueue.Entry(UUID.randomUUID(), org, () -> started.add(name));
  }

  @Test
  void two_organizations_behind_a_limit_of_one_take_turns() {
    BuildQueue queue = new BuildQueue(1, 1);
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    queue.offer(entry(a, "a1"));
    queue.offer(entry(a, "a2"));
    queue.offer(entry(a, "a3"));
    queue.offer(entry(b, "b1"));
    queue.offer(entry(b, "b2"));
    assertThat(started).containsExactly("a1");

    for (String org : List.of("a", "b", "a", "b")) {
      queue.finished(org.equals("a") ? a : b);
    }
    assertThat(started).containsExactly("a1", "b1", "a2", "b2", "a3");
    assertThat(queue.waitingCount()).isZero();
  }

  @Test
  void the_per_organization_limit_holds_while_the_global_one_has_room() {
    BuildQueue queue = new BuildQueue(1, 3);
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    queue.offer(entry(a, "a1"));
    queue.offer(entry(a, "a2"));
    queue.offer(entry(b, "b1"));
    assertThat(started).containsExactly("a1", "b1");
    assertThat(queue.waitingCount()).isEqualTo(1);
  }

  @Test
  void a_removed_build_never_starts() {
    BuildQueue queue = new BuildQueue(1, 1);
    UUID a = UUID.randomUUID();
    queue.offer(entry(a, "a1"));
    BuildQueue.Entry second = entry(a, "a2");
    queue.offer(second);
    assertThat(queue.remove(second.buildId())).isTrue();
    assertThat(queue.remove(second.buildId())).isFalse();
    queue.finished(a);
    assertThat(started).containsExactly("a1");
  }
}
