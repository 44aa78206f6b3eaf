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
 * once, organizations served in turn (the one that just got a slot goes to the back), each organization's builds in
 * submission order. Holds only what this control plane accepted since it started; builds a stopped control plane
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
  private int running;

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
      runningByOrganization.merge(organizationId, -1, Integer::sum);
    }
    pump();
  }

  public synchronized int waitingCount() {
    return waiting.values().stream().mapToInt(Deque::size).sum();
  }

  private void pump() {
    List<Entry> starting = new ArrayList<>();
    synchronized (this) {
      boolean progress = true;
      while (running < global && progress) {
        progress = false;
        for (UUID organization : List.copyOf(waiting.keySet())) {
          if (running >= global) {
            break;
          }
          if (runningByOrganization.getOrDefault(organization, 0) >= perOrganization) {
            continue;
          }
          Deque<Entry> queue = waiting.remove(organization);
          Entry next = queue.removeFirst();
          if (!queue.isEmpty()) {
            waiting.put(organization, queue); // to the back: the others go first
          }
          running++;
          runningByOrganization.merge(organization, 1, Integer::sum);
          starting.add(next);
          progress = true;
        }
      }
    }
    starting.forEach(entry -> entry.run().run());
  }
}
