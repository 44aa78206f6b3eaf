package io.skypanel.common.events;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OrderedReloadsTest {

  private final OrderedReloads<String> reloads = new OrderedReloads<>();
  private final List<String> applied = new ArrayList<>();

  /** A reload that reads (starts) at once and applies {@code what} when {@code read} completes. */
  private java.util.function.Supplier<Future<Void>> load(List<String> started, String what, Promise<Void> read) {
    return () -> {
      started.add(what);
      return read.future().map(v -> {
        applied.add(what);
        return null;
      });
    };
  }

  @Test
  void a_later_reload_starts_only_after_an_earlier_slower_one_applied() {
    List<String> started = new ArrayList<>();
    Promise<Void> slowFullRead = Promise.promise();
    Promise<Void> fastContainerRead = Promise.promise();
    reloads.reloadAll(load(started, "all (old snapshot)", slowFullRead));
    Future<Void> container = reloads.reload("c1", load(started, "c1 (new)", fastContainerRead));

    fastContainerRead.complete(); // its answer is in first, but it has not even been asked yet
    assertThat(started).containsExactly("all (old snapshot)");
    slowFullRead.complete();

    assertThat(container.succeeded()).isTrue();
    assertThat(applied).containsExactly("all (old snapshot)", "c1 (new)");
  }

  @Test
  void a_waiting_reload_absorbs_later_requests_for_the_same_key_but_not_for_others() {
    List<String> started = new ArrayList<>();
    Promise<Void> blocker = Promise.promise();
    reloads.reload("c1", load(started, "c1 first", blocker));
    Promise<Void> done = Promise.promise();
    done.complete();
    reloads.reload("c2", load(started, "c2", done));
    reloads.reload("c2", load(started, "c2 again", done));
    reloads.reload("c1", load(started, "c1 second", done));

    blocker.complete();
    assertThat(started).containsExactly("c1 first", "c2", "c1 second");
  }

  @Test
  void a_key_changed_while_its_reload_reads_is_read_again() {
    List<String> started = new ArrayList<>();
    Promise<Void> reading = Promise.promise();
    reloads.reload("c1", load(started, "c1 first", reading));
    Promise<Void> done = Promise.promise();
    done.complete();
    reloads.reload("c1", load(started, "c1 after the change", done));

    reading.complete();
    assertThat(applied).containsExactly("c1 first", "c1 after the change");
  }

  @Test
  void a_failed_reload_does_not_hold_back_the_next() {
    Future<Void> failed = reloads.reload("c1", () -> Future.failedFuture("database down"));
    Future<Void> thrown = reloads.reload("c2", () -> {
      throw new IllegalStateException("bug");
    });
    Future<Void> next = reloads.reloadAll(() -> {
      applied.add("all");
      return Future.succeededFuture();
    });

    assertThat(failed.failed()).isTrue();
    assertThat(thrown.cause()).hasMessage("bug");
    assertThat(next.succeeded()).isTrue();
    assertThat(applied).containsExactly("all");
  }
}
