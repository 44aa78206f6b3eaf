package io.skypanel.common.events;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
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
import java.util.concurrent.TimeUnit;

/**
 * Platform change notifications between processes over Redis pub/sub ({@code <prefix>events:<topic>}).
 * PostgreSQL stays the source of truth: an event says "look again", so a lost message costs only latency
 * until the receiver's periodic resync. One subscriber connection serves every topic of the process.
 *
 * <p>When that connection is lost (Redis restarted, network cut), it is reopened with exponential backoff
 * ({@value #FIRST_RETRY_MS} ms doubling up to {@value #MAX_RETRY_MS} ms) and every topic is subscribed again;
 * the loss and the recovery are each logged once. Events published meanwhile are gone, so once the subscription
 * is back every {@link #onReconnect} handler is called and subscribers re-read what they mirror at once.
 */
public final class PlatformEvents {

  private static final Logger LOG = LoggerFactory.getLogger(PlatformEvents.class);
  static final long FIRST_RETRY_MS = 100;
  static final long MAX_RETRY_MS = 5_000;

  /** A handler and the context it was registered on, where it is called. */
  private record Registration<T>(Handler<T> handler, Context context) {
    void call(T value) {
      if (context == null || context == Vertx.currentContext()) {
        handler.handle(value);
      } else {
        context.runOnContext(v -> handler.handle(value));
      }
    }
  }

  private final Vertx vertx;
  private final Redis redis;
  private final RedisAPI api;
  private final String channelPrefix;
  private final Map<String, List<Registration<JsonObject>>> handlers = new ConcurrentHashMap<>();
  private final List<Registration<Void>> reconnectHandlers = new CopyOnWriteArrayList<>();
  // guarded by this
  private RedisConnection connection;
  private Future<RedisConnection> connecting;
  private long lostAt = -1;
  private boolean closed;

  public PlatformEvents(Vertx vertx, Redis redis, RedisAPI api, String keyPrefix) {
    this.vertx = vertx;
    this.redis = redis;
    this.api = api;
    this.channelPrefix = keyPrefix + "events:";
  }

  /** Publishes {@code event} on {@code topic}; completes with the number of processes that received it. */
  public Future<Integer> publish(String topic, JsonObject event) {
    return api.publish(channelPrefix + topic, event.encode()).map(Response::toInteger);
  }

  /**
   * Calls {@code handler} on this context for every event on {@code topic}; completes once subscribed. While the
   * subscription is down (after a loss) it completes at once: the topic is subscribed with the others when Redis
   * is back, and the {@link #onReconnect} handlers run then.
   */
  public Future<Void> subscribe(String topic, Handler<JsonObject> handler) {
    Future<RedisConnection> current;
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(new IllegalStateException("platform events are closed"));
      }
      handlers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(new Registration<>(handler, Vertx.currentContext()));
      if (lostAt >= 0) {
        return Future.succeededFuture();
      }
      if (connection != null) {
        current = Future.succeededFuture(connection);
      } else {
        if (connecting == null) {
          connecting = open().onComplete(done -> {
            synchronized (this) {
              connecting = null;
            }
          });
        }
        current = connecting;
      }
    }
    // subscribing to a channel twice is harmless, so a race with a resubscription needs no care
    return current.compose(c -> c.send(Request.cmd(Command.SUBSCRIBE).arg(channelPrefix + topic))).mapEmpty();
  }

  /**
   * Calls {@code handler} on this context each time the subscription came back after a loss. Events published
   * while it was down were missed: the handler should reload everything the subscriber keeps in sync.
   */
  public void onReconnect(Handler<Void> handler) {
    reconnectHandlers.add(new Registration<>(handler, Vertx.currentContext()));
  }

  /** Whether the subscriber connection is open (false before the first subscription and while reconnecting). */
  public synchronized boolean subscribed() {
    return connection != null;
  }

  /** Opens the subscriber connection and subscribes every topic registered so far. */
  private Future<RedisConnection> open() {
    return redis.connect().compose(opened -> {
      opened.handler(this::dispatch);
      opened.exceptionHandler(err -> LOG.debug("event subscription connection failed: {}", err.getMessage()));
      opened.endHandler(v -> lost(opened));
      Future<Response> subscribed = handlers.isEmpty() ? Future.succeededFuture() : opened.send(subscribeAll());
      return subscribed.transform(done -> {
        synchronized (this) {
          if (done.succeeded() && !closed) {
            connection = opened;
            return Future.succeededFuture(opened);
          }
        }
        opened.close();
        return Future.failedFuture(done.failed() ? done.cause() : new IllegalStateException("platform events are closed"));
      });
    });
  }

  private Request subscribeAll() {
    Request request = Request.cmd(Command.SUBSCRIBE);
    handlers.keySet().forEach(topic -> request.arg(channelPrefix + topic));
    return request;
  }

  private void lost(RedisConnection ended) {
    synchronized (this) {
      if (closed || connection != ended) {
        return;
      }
      connection = null;
      lostAt = System.nanoTime();
    }
    LOG.warn("lost the Redis event subscription; reconnecting with backoff (events published meanwhile are missed, "
        + "subscribers reload everything once it is back)");
    retry(1);
  }

  private void retry(int attempt) {
    long delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(attempt - 1, 16));
    vertx.setTimer(delay, id -> {
      synchronized (this) {
        if (closed) {
          return;
        }
      }
      open().onSuccess(reopened -> recovered(attempt)).onFailure(err -> {
        LOG.debug("event subscription reconnect attempt {} failed: {}", attempt, err.getMessage());
        retry(attempt + 1);
      });
    });
  }

  private void recovered(int attempts) {
    long downMs;
    synchronized (this) {
      downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lostAt);
      lostAt = -1;
    }
    LOG.info("Redis event subscription restored after {} ms ({} attempt{}), {} topic{} subscribed again", downMs, attempts,
        attempts == 1 ? "" : "s", handlers.size(), handlers.size() == 1 ? "" : "s");
    reconnectHandlers.forEach(registration -> registration.call(null));
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
    handlers.getOrDefault(topic, List.of()).forEach(registration -> registration.call(event));
  }

  /** Closes the subscriber connection and stops reconnecting. */
  public Future<Void> close() {
    RedisConnection open;
    synchronized (this) {
      closed = true;
      open = connection;
      connection = null;
    }
    return open == null ? Future.succeededFuture() : open.close().recover(err -> {
      // shutting down: the connection is abandoned either way; say why it did not close cleanly
      LOG.warn("closing the event subscriber connection failed: {}", err.getMessage(), err);
      return Future.succeededFuture();
    });
  }
}
