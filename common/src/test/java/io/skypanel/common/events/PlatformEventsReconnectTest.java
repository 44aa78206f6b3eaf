package io.skypanel.common.events;

import io.skypanel.common.redis.RedisConnector;
import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.RedisProcess;
import io.skypanel.common.testing.TestServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis of the test's own is killed and started again on the same port: the subscription comes back by itself,
 * well within the 30 s resync that would otherwise be the only way changes arrive, and subscribers are told once.
 */
class PlatformEventsReconnectTest {

  private static final Logger LOG = LoggerFactory.getLogger(PlatformEventsReconnectTest.class);
  private static final Duration WITHIN = Duration.ofSeconds(5);
  private static final String TOPIC = "routes.changed";
  private static final String OTHER_TOPIC = "certificates.changed";

  private Vertx vertx;
  private RedisProcess redis;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    redis = RedisProcess.start();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      redis.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void resubscribes_after_redis_restarts_and_tells_subscribers_to_resync() throws Exception {
    String prefix = TestServers.redisPrefix();
    Redis subscriberClient = RedisConnector.client(vertx, redis.url());
    Redis publisherClient = RedisConnector.client(vertx, redis.url());
    PlatformEvents subscriber = new PlatformEvents(vertx, subscriberClient, RedisConnector.api(subscriberClient), prefix);
    PlatformEvents publisher = new PlatformEvents(vertx, publisherClient, RedisConnector.api(publisherClient), prefix);
    List<String> received = new CopyOnWriteArrayList<>();
    AtomicInteger reconnects = new AtomicInteger();
    subscriber.onReconnect(v -> reconnects.incrementAndGet());
    List<String> other = new CopyOnWriteArrayList<>();
    await(subscriber.subscribe(TOPIC, event -> received.add(event.getString("n"))));
    await(subscriber.subscribe(OTHER_TOPIC, event -> other.add(event.getString("n"))));
    await(publisher.publish(TOPIC, new JsonObject().put("n", "before")));
    Eventually.await("the event published before the restart", WITHIN, () -> received.contains("before") ? true : null);
    assertThat(reconnects).as("no reconnect before any loss").hasValue(0);

    redis.kill();
    // Redis stays down until the subscriber noticed, so it reconnects to a dead port first (the backoff path)
    Eventually.await("the subscriber noticing the loss", WITHIN, () -> subscriber.subscribed() ? null : true);
    redis.restart();
    long restarted = System.nanoTime();

    // each probe publishes a fresh event: whichever is published once the subscription is back arrives
    AtomicInteger sent = new AtomicInteger();
    Eventually.await("an event published after the restart", WITHIN, () -> {
      String n = "after-" + sent.incrementAndGet();
      await(publisher.publish(TOPIC, new JsonObject().put("n", n)));
      await(publisher.publish(OTHER_TOPIC, new JsonObject().put("n", n)));
      return received.stream().anyMatch(r -> r.startsWith("after-")) && other.stream().anyMatch(r -> r.startsWith("after-")) ? true : null;
    });
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
    LOG.info("first event after the Redis restart arrived {} ms after the server answered PING again", millis);

    assertThat(reconnects).as("subscribers told once that events may have been missed").hasValue(1);
    assertThat(subscriber.subscribed()).isTrue();
    assertThat(received).as("nothing delivered twice").doesNotHaveDuplicates();
    assertThat(other).as("each topic only gets its own events").doesNotContain("before");
    await(subscriber.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
