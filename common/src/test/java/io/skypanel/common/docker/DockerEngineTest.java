package io.skypanel.common.docker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's two worker pools, against the real local engine. */
class DockerEngineTest {

  private static final int SLOW_WORKERS = 2;
  private static Vertx vertx;
  private static DockerEngine engine;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    engine = await(DockerEngine.connect(vertx, new DockerOptions(null, 2, SLOW_WORKERS, 8, 3000, 60_000)));
    assertThat(engine.status().available()).as(engine.status().message()).isTrue();
  }

  @AfterAll
  static void stop() throws Exception {
    engine.close();
    await(vertx.close());
  }

  @Test
  void slow_calls_run_on_their_own_pool_and_cannot_starve_ordinary_calls() throws Exception {
    String ordinary = await(engine.call(docker -> Thread.currentThread().getName()));
    String slow = await(engine.callSlow(docker -> Thread.currentThread().getName()));
    assertThat(ordinary).startsWith(DockerEngine.POOL + "-");
    assertThat(slow).startsWith(DockerEngine.SLOW_POOL + "-");

    // every slow worker busy (as with stats samples waiting on the engine): ordinary calls still answer
    CountDownLatch release = new CountDownLatch(1);
    List<Future<Boolean>> busy = new ArrayList<>();
    for (int i = 0; i < SLOW_WORKERS; i++) {
      busy.add(engine.callSlow(docker -> release.await(60, TimeUnit.SECONDS)));
    }
    try {
      String version = await(engine.call(docker -> docker.versionCmd().exec().getApiVersion()));
      assertThat(version).isNotBlank();
      assertThat(busy).noneMatch(Future::isComplete);
    } finally {
      release.countDown();
    }
    for (Future<Boolean> call : busy) {
      boolean released = await(call);
      assertThat(released).isTrue();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
