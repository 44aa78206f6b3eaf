package io.skypanel.common.events;

import io.skypanel.common.redis.RedisConnector;
import io.skypanel.common.testing.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** Against the real Redis: one process's event reaches another's subscriber, and only on its topic. */
@ExtendWith(VertxExtension.class)
class PlatformEventsTest {

  @Test
  void an_event_published_by_one_process_reaches_the_subscriber_of_another(Vertx vertx, VertxTestContext ctx) {
    String prefix = TestServers.redisPrefix();
    Redis publisherRedis = RedisConnector.client(vertx, TestServers.REDIS_URL);
    Redis subscriberRedis = RedisConnector.client(vertx, TestServers.REDIS_URL);
    PlatformEvents publisher = new PlatformEvents(vertx, publisherRedis, RedisConnector.api(publisherRedis), prefix);
    PlatformEvents subscriber = new PlatformEvents(vertx, subscriberRedis, RedisConnector.api(subscriberRedis), prefix);

    // an unrelated topic is published first: were topics mixed up, its event would arrive first
    subscriber.subscribe("organization.deleted", event -> ctx.verify(() -> {
      assertThat(event.getString("organization_id")).isEqualTo("42");
      subscriber.close().onComplete(done -> ctx.completeNow());
    })).compose(subscribed -> publisher.publish("catalog.plans.changed", new JsonObject().put("organization_id", "unrelated")))
        .compose(ignored -> publisher.publish("organization.deleted", new JsonObject().put("organization_id", "42")))
        .onComplete(ctx.succeeding(receivers -> ctx.verify(() -> assertThat(receivers).isEqualTo(1))));
  }
}
