package io.skypanel.launcher;

import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.RedisProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher's own redis-server (from PATH, as on the test machine): restarted when it dies, not when stopped. */
class LocalRedisTest {

  private static final Duration BACK = Duration.ofSeconds(15);

  @Test
  void a_redis_server_that_dies_is_started_again_on_the_same_port(@TempDir Path dir) throws Exception {
    try (LocalRedis redis = LocalRedis.start(dir)) {
      assertThat(redis.kind()).as("redis-server is on PATH here").isEqualTo("redis-server");
      ProcessHandle first = redis.process().orElseThrow();

      first.destroyForcibly(); // SIGKILL, like the OOM killer
      first.onExit().get(10, TimeUnit.SECONDS);
      ProcessHandle second = Eventually.await("redis-server running again", BACK,
          () -> redis.process().filter(p -> p.pid() != first.pid()).orElse(null));
      Eventually.await("PING answered on port " + redis.port(), BACK, () -> RedisProcess.ping(redis.port()) ? true : null);
      assertThat(redis.restarts()).isEqualTo(1);

      second.destroy(); // SIGTERM from someone else: just as unexpected
      second.onExit().get(10, TimeUnit.SECONDS);
      Eventually.await("redis-server running a third time", BACK,
          () -> redis.process().filter(p -> p.pid() != second.pid() && p.pid() != first.pid()).orElse(null));
      Eventually.await("PING answered again", BACK, () -> RedisProcess.ping(redis.port()) ? true : null);
      assertThat(redis.restarts()).isEqualTo(2);
      assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + redis.port() + "/0");
    }
  }

  @Test
  void a_deliberate_stop_is_not_undone(@TempDir Path dir) {
    LocalRedis redis = LocalRedis.start(dir);
    ProcessHandle process = redis.process().orElseThrow();

    redis.close();

    // close() returns once the supervisor has ended, so no restart can come after this point
    assertThat(process.isAlive()).isFalse();
    assertThat(redis.process()).isEmpty();
    assertThat(redis.restarts()).isZero();
    assertThat(RedisProcess.ping(redis.port())).as("nothing answers on the port").isFalse();
  }
}
