package io.skypanel.common.events;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

class OrderedReloadsTest {

  private final Vertx vertx = Vertx.vertx();
  private final OrderedReloads<String> reloads = new OrderedReloads<>(vertx, Duration.ofSeconds(30));
  private final List<String> started = new ArrayList<>();
  private final List<String> applied = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A read of {@code what} that starts when its turn comes and answers when {@code answer} completes. */
  private Supplier<Future<String>> read(String what, Promise<Void> answer) {
    return () -> {
      started.add(what);
      return answer.future().map(what);
    };
  }

  private static Promise<Void> answered() {
    Promise<Void> done = Promise.promise();
    done.complete();
    return done;
  }

  @Test
  void a_later_reload_starts_only_after_an_earlier_slower_one_applied() {
    Promise<Void> slowFullRead = Promise.promise();
    Promise<Void> fastContainerRead = Promise.promise();
    reloads.reloadAll(read("all (old snapshot)", slowFullRead), applied::add);
    Future<Void> container = reloads.reload("c1", read("c1 (new)", fastContainerRead), applied::add);

    fastContainerRead.complete(); // its answer is in first, but it has not even been asked yet
    assertThat(started).containsExactly("all (old snapshot)");
    slowFullRead.complete();

    assertThat(container.succeeded()).isTrue();
    assertThat(applied).containsExactly("all (old snapshot)", "c1 (new)");
  }

  @Test
  void a_waiting_reload_absorbs_later_requests_for_the_same_key_but_not_for_others() {
    Promise<Void> blocker = Promise.promise();
    reloads.reload("c1", read("c1 first", blocker), applied::add);
    reloads.reload("c2", read("c2", answered()), applied::add);
    reloads.reload("c2", read("c2 again", answered()), applied::add);
    reloads.reload("c1", read("c1 second", answered()), applied::add);

    blocker.complete();
    assertThat(started).containsExactly("c1 first", "c2", "c1 second");
  }

  @Test
  void a_key_changed_while_its_reload_reads_is_read_again() {
    Promise<Void> reading = Promise.promise();
    reloads.reload("c1", read("c1 first", reading), applied::add);
    reloads.reload("c1", read("c1 after the change", answered()), applied::add);

    reading.complete();
    assertThat(applied).containsExactly("c1 first", "c1 after the change");
  }

  @Test
  void a_failed_reload_does_not_hold_back_the_next() {
    Future<Void> failed = reloads.reload("c1", () -> Future.<String>failedFuture("database down"), applied::add);
    Supplier<Future<String>> buggy = () -> {
      throw new IllegalStateException("bug");
    };
    Future<Void> thrown = reloads.reload("c2", buggy, applied::add);
    Future<Void> next = reloads.reloadAll(read("all", answered()), applied::add);

    assertThat(failed.failed()).isTrue();
    assertThat(thrown.cause()).hasMessage("bug");
    assertThat(next.succeeded()).isTrue();
    assertThat(applied).containsExactly("all");
  }

  @Test
  void a_stuck_read_gives_way_after_the_limit_and_its_late_answer_is_never_applied() throws Exception {
    OrderedReloads<String> limited = new OrderedReloads<>(vertx, Duration.ofMillis(200));
    Promise<Void> stuck = Promise.promise();
    Future<Void> first = limited.reloadAll(read("all (stuck)", stuck), applied::add);
    Future<Void> next = limited.reload("c1", read("c1", answered()), applied::add);

    next.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(first.cause()).isInstanceOf(TimeoutException.class);
    assertThat(applied).containsExactly("c1");
    stuck.complete(); // the old snapshot arrives after all
    assertThat(applied).as("a late answer is dropped").containsExactly("c1");
  }
}
