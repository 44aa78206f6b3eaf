package io.skypanel.common.events;

import io.vertx.core.Future;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs the reloads a change subscriber makes (one key's state, or everything) one after another, in the order
 * they were asked for, so a slower, older read can never overwrite a newer one: two announcements of the same
 * container in a few milliseconds, or a periodic full resync whose query started before an announcement, would
 * otherwise finish out of order and leave the stale copy in place until the next change. A reload already waiting
 * for its turn absorbs later requests for the same key (it has not read yet, so it will see their changes too);
 * one that has started reading does not, and the key is read again after it.
 */
public final class OrderedReloads<K> {

  /** The key that stands for "everything". */
  private static final Object ALL = new Object();

  private final Set<Object> waiting = new HashSet<>();
  private Future<Void> tail = Future.succeededFuture();

  /** Reloads {@code key} with {@code load} after every reload asked for before; completes when it has run. */
  public Future<Void> reload(K key, Supplier<Future<Void>> load) {
    return enqueue(key, load);
  }

  /** Reloads everything with {@code load} after every reload asked for before. */
  public Future<Void> reloadAll(Supplier<Future<Void>> load) {
    return enqueue(ALL, load);
  }

  private synchronized Future<Void> enqueue(Object key, Supplier<Future<Void>> load) {
    if (!waiting.add(key)) {
      return tail; // an identical reload is queued and has not read yet: it covers this request
    }
    tail = tail.transform(previous -> {
      synchronized (this) {
        waiting.remove(key);
      }
      try {
        return load.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    return tail;
  }
}
