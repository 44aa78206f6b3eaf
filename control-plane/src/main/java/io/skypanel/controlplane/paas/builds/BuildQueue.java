package io.skypanel.controlplane.paas.builds;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Which queued build runs next: at most {@code perOrganization} of one organization and {@code global} in all at
 * once, organizations served in turn (the one served longest ago first), each organization's builds in submission
 * order. Holds only what this control plane accepted since it started; builds a stopped control plane
 * left behind are failed at start ({@link BuildService#start}). Thread-safe; {@code starter} runs outside the lock.
 */
public final class BuildQueue {

  /** A build waiting for a slot. */
  public record Entry(UUID buildId, UUID organizationId, Runnable run) {
  }

  private final int perOrganization;
  private final int global;
  private final LinkedHashMap<UUID, Deque<Entry>> waiting = new LinkedHashMap<>();
  private final Map<UUID, Integer> runningByOrganization = new HashMap<>();
  /** When each organization last got a slot (one number per organization this control plane has built for). */
  private final Map<UUID, Long> lastServed = new HashMap<>();
  private int running;
  private long turn;

  public BuildQueue(int perOrganization, int global) {
    this.perOrganization = perOrganization;
    this.global = global;
  }

  /** Queues a build and starts whatever may start now. */
  public void offer(Entry entry) {
    synchronized (this) {
      waiting.computeIfAbsent(entry.organizationId(), id -> new ArrayDeque<>()).addLast(entry);
    }
    pump();
  }

  /** Takes a build out of the queue before it started; false when it was not waiting (running or unknown). */
  public synchronized boolean remove(UUID buildId) {
    for (Iterator<Deque<Entry>> queues = waiting.values().iterator(); queues.hasNext(); ) {
      Deque<Entry> queue = queues.next();
      if (queue.removeIf(entry -> entry.buildId().equals(buildId))) {
        if (queue.isEmpty()) {
          queues.remove();
        }
        return true;
      }
    }
    return false;
  }

  /** A started build ended (however): its slot is free. */
  public void finished(UUID organizationId) {
    synchronized (this) {
      running--;
      if (runningByOrganization.merge(organizationId, -1, Integer::sum) <= 0) {
        runningByOrganization.remove(organizationId);
      }
    }
    pump();
  }

  public synchronized int waitingCount() {
    return waiting.values().stream().mapToInt(Deque::size).sum();
  }

  private void pump() {
    List<Entry> starting = new ArrayList<>();
    synchronized (this) {
      while (running < global) {
        UUID next = nextOrganization();
        if (next == null) {
          break;
        }
        Deque<Entry> queue = waiting.get(next);
        starting.add(queue.removeFirst());
        if (queue.isEmpty()) {
          waiting.remove(next);
        }
        running++;
        runningByOrganization.merge(next, 1, Integer::sum);
        lastServed.put(next, ++turn);
      }
    }
    starting.forEach(entry -> entry.run().run());
  }

  /**
   * The waiting organization under its own limit that was served longest ago (never served first, then in arrival
   * order), so one that just got a slot goes behind the others even when its queue ran empty in between.
   */
  private UUID nextOrganization() {
    UUID best = null;
    long bestTurn = Long.MAX_VALUE;
    for (UUID organization : waiting.keySet()) {
      if (runningByOrganization.getOrDefault(organization, 0) >= perOrganization) {
        continue;
      }
      long served = lastServed.getOrDefault(organization, 0L);
      if (served < bestTurn) {
        best = organization;
        bestTurn = served;
      }
    }
    return best;
  }
}
