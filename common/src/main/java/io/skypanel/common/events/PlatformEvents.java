package io.skypanel.common.events;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Platform change notifications between processes over Redis pub/sub ({@code <prefix>events:<topic>}).
 * PostgreSQL stays the source of truth: an event says "look again", so a lost message costs only latency
 * until the receiver's periodic resync. One subscriber connection serves every topic of the process.
 */
public final class PlatformEvents {

  private static final Logger LOG = LoggerFactory.getLogger(PlatformEvents.class);

  private final Redis redis;
  private final RedisAPI api;
  private final String channelPrefix;
  private final Map<String, List<Handler<JsonObject>>> handlers = new ConcurrentHashMap<>();
  private Future<RedisConnection> subscriber;

  public PlatformEvents(Redis redis, RedisAPI api, String keyPrefix) {
    this.redis = redis;
    this.api = api;
    this.channelPrefix = keyPrefix + "events:";
  }

  /** Publishes {@code event} on {@code topic}; completes with the number of processes that received it. */
  public Future<Integer> publish(String topic, JsonObject event) {
    return api.publish(channelPrefix + topic, event.encode()).map(Response::toInteger);
  }

  /** Calls {@code handler} on this context for every event on {@code topic}; completes once subscribed. */
  public synchronized Future<Void> subscribe(String topic, Handler<JsonObject> handler) {
    handlers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(handler);
    if (subscriber == null) {
      subscriber = redis.connect().map(connection -> {
        connection.handler(this::dispatch);
        connection.exceptionHandler(err -> LOG.warn("event subscription connection failed: {}", err.getMessage()));
        return connection;
      });
    }
    return subscriber.compose(connection -> connection.send(Request.cmd(Command.SUBSCRIBE).arg(channelPrefix + topic))).mapEmpty();
  }

  private void dispatch(Response message) {
    // pub/sub pushes arrive as ["message", channel, payload]
    if (message.type() != ResponseType.PUSH && message.type() != ResponseType.MULTI) {
      return;
    }
    if (message.size() < 3 || !"message".equals(message.get(0).toString())) {
      return;
    }
    String topic = message.get(1).toString().substring(channelPrefix.length());
    JsonObject event;
    try {
      event = new JsonObject(message.get(2).toString());
    } catch (RuntimeException e) {
      LOG.warn("ignoring a malformed event on {}", topic);
      return;
    }
    handlers.getOrDefault(topic, List.of()).forEach(h -> h.handle(event));
  }

  public synchronized Future<Void> close() {
    if (subscriber == null) {
      return Future.succeededFuture();
    }
    return subscriber.compose(RedisConnection::close).otherwiseEmpty();
  }
}
