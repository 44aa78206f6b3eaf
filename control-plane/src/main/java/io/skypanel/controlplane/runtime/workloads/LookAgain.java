package io.skypanel.controlplane.runtime.workloads;

import io.vertx.core.Vertx;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * When the reconciler looks at a container again without an event to wake it: at most one pending look per container
 * and reason, however many events came meanwhile, each reason bounded.
 * <ul>
 *   <li>{@link #whileSettling}: Docker announces a container's start before Swarm marks its task running, and Swarm
 *   decides to stop a task (a rolling update's old one, a scale-down's extra one) with no event at all; the first
 *   event is the stop signal itself, about 2 s later (Swarm's gossip delay). Looking every {@value #SETTLING_MS} ms
 *   catches that decision inside the delay, so the edge stops sending requests to the task before the application
 *   is told to stop. A task that never settles is left to the periodic sweep after {@value #MAX_SETTLING_LOOKS}
 *   looks.</li>
 *   <li>{@link #whileLocked}: another replica holds the container's lock. Its pass may have read the engine before
 *   the change that brought this one here (a task killed a moment ago), so skipping would leave a stale status and
 *   stale routes until the next event or sweep: look again every {@value #LOCKED_MS} ms for as long as the lock can
 *   live.</li>
 * </ul>
 */
final class LookAgain {

  private static final long SETTLING_MS = 250;
  private static final int MAX_SETTLING_LOOKS = 120;
  private static final long LOCKED_MS = 500;

  private final Vertx vertx;
  private final long lockMillis;
  private final Consumer<UUID> look;
  private final Map<UUID, Integer> settlingLooks = new ConcurrentHashMap<>();
  private final Set<UUID> settlingPending = ConcurrentHashMap.newKeySet();
  private final Map<UUID, Long> lockedSince = new ConcurrentHashMap<>();
  private final Set<UUID> lockedPending = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  /**
   * @param lockMillis how long another replica's lock can live at most
   * @param look       the reconciler's pass for one container
   */
  LookAgain(Vertx vertx, long lockMillis, Consumer<UUID> look) {
    this.vertx = vertx;
    this.lockMillis = lockMillis;
    this.look = look;
  }

  void stop() {
    stopped = true;
  }

  /** After a pass that observed the container: look again shortly while it still settles. */
  void whileSettling(UUID containerId, boolean settling) {
    if (!settling || stopped) {
      settlingLooks.remove(containerId);
      return;
    }
    if (!settlingPending.add(containerId)) {
      return;
    }
    if (settlingLooks.merge(containerId, 1, Integer::sum) > MAX_SETTLING_LOOKS) {
      settlingPending.remove(containerId);
      return;
    }
    vertx.setTimer(SETTLING_MS, t -> {
      settlingPending.remove(containerId);
      look.accept(containerId);
    });
  }

  /** A pass found another replica's lock on the container: look again shortly, as long as that lock can live. */
  void whileLocked(UUID containerId) {
    long now = System.currentTimeMillis();
    long since = lockedSince.computeIfAbsent(containerId, id -> now);
    if (stopped || now - since > lockMillis) {
      lockedSince.remove(containerId);
      return;
    }
    if (lockedPending.add(containerId)) {
      vertx.setTimer(LOCKED_MS, t -> {
        lockedPending.remove(containerId);
        look.accept(containerId);
      });
    }
  }

  /** A pass got the lock: the next time it is held elsewhere counts afresh. */
  void gotLock(UUID containerId) {
    lockedSince.remove(containerId);
  }
}
