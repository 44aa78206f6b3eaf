package io.skypanel.common.events;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs the reloads a change subscriber makes (one key's state, or everything) one after another, in the order
 * they were asked for, so a slower, older read can never overwrite a newer one: two announcements of the same
 * container in a few milliseconds, or a periodic full resync whose query started before an announcement, would
 * otherwise finish out of order and leave the stale copy in place until the next change. A reload already waiting
 * for its turn absorbs later requests for the same key (it has not read yet, so it will see their changes too);
 * one that has started reading does not, and the key is read again after it.
 *
 * <p>A read that takes longer than the limit fails and the next reload goes on; if its answer comes later it is
 * dropped, never applied, so one stuck query can neither hold every later change back nor bring old state back.
 */
public final class OrderedReloads<K> {

  /** The key that stands for "everything". */
  private static final Object ALL = new Object();

  private final Vertx vertx;
  private final long limitMs;
  private final Set<Object> waiting = new HashSet<>();
  private Future<Void> tail = Future.succeededFuture();

  /** @param limit how long one read may take before the reloads after it go on without it */
  public OrderedReloads(Vertx vertx, Duration limit) {
    this.vertx = vertx;
    this.limitMs = limit.toMillis();
  }

  /** Reads {@code key}'s state and applies it, after every reload asked for before; completes once applied. */
  public <T> Future<Void> reload(K key, Supplier<Future<T>> read, Consumer<T> apply) {
    return enqueue(key, read, apply);
  }

  /** Reads everything and applies it, after every reload asked for before. */
  public <T> Future<Void> reloadAll(Supplier<Future<T>> read, Consumer<T> apply) {
    return enqueue(ALL, read, apply);
  }

  private synchronized <T> Future<Void> enqueue(Object key, Supplier<Future<T>> read, Consumer<T> apply) {
    if (!waiting.add(key)) {
      return tail; // an identical reload is queued and has not read yet: it covers this request
    }
    tail = tail.transform(previous -> {
      synchronized (this) {
        waiting.remove(key);
      }
      return bounded(read).map(value -> {
        apply.accept(value);
        return (Void) null;
      });
    });
    return tail;
  }

  private <T> Future<T> bounded(Supplier<Future<T>> read) {
    Promise<T> answer = Promise.promise();
    long timer = vertx.setTimer(limitMs, t -> answer.tryFail(new TimeoutException("the reload's read took longer than " + limitMs + " ms")));
    Future<T> reading;
    try {
      reading = read.get();
    } catch (RuntimeException e) {
      reading = Future.failedFuture(e);
    }
    reading.onComplete(done -> {
      vertx.cancelTimer(timer);
      // after the limit these are no-ops: the late answer is dropped
      if (done.succeeded()) {
        answer.tryComplete(done.result());
      } else {
        answer.tryFail(done.cause());
      }
    });
    return answer.future();
  }
}
