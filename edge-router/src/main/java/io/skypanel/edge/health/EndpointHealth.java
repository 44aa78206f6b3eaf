package io.skypanel.edge.health;

import io.vertx.core.net.SocketAddress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the edge knows about each upstream endpoint's health, shared by every listener of the process:
 * <ul>
 *   <li>passive: a refused connection marks the endpoint down for a few seconds ({@link #refused});</li>
 *   <li>active: {@link ActiveHealthChecker} probes every endpoint; {@code failuresToDown} failed probes in a row
 *   mark it down until a probe succeeds.</li>
 * </ul>
 * An endpoint nobody has heard of is up: new tasks only get endpoints once Swarm reports them running (after
 * their own health check, when the image has one), and holding them back would only delay a deploy.
 */
public final class EndpointHealth {

  private final Map<SocketAddress, State> states = new ConcurrentHashMap<>();
  private final int failuresToDown;

  public EndpointHealth(int failuresToDown) {
    this.failuresToDown = Math.max(1, failuresToDown);
  }

  private static final class State {
    volatile long passiveDownUntilNanos;
    volatile int consecutiveFailures;
    volatile boolean activeDown;
  }

  public boolean isUp(SocketAddress endpoint) {
    State state = states.get(endpoint);
    if (state == null) {
      return true;
    }
    return !state.activeDown && state.passiveDownUntilNanos - System.nanoTime() <= 0;
  }

  /** The endpoint refused a connection: skip it for {@code millis}. */
  public void refused(SocketAddress endpoint, long millis) {
    states.computeIfAbsent(endpoint, e -> new State()).passiveDownUntilNanos = System.nanoTime() + millis * 1_000_000;
  }

  /** An active probe's result; true when this changed the endpoint's up/down state. */
  public boolean probed(SocketAddress endpoint, boolean healthy) {
    State state = states.computeIfAbsent(endpoint, e -> new State());
    boolean wasDown = state.activeDown;
    if (healthy) {
      state.consecutiveFailures = 0;
      state.activeDown = false;
      state.passiveDownUntilNanos = 0;
    } else {
      state.consecutiveFailures++;
      if (state.consecutiveFailures >= failuresToDown) {
        state.activeDown = true;
      }
    }
    return wasDown != state.activeDown;
  }

  /** Forgets endpoints no route uses any more (their ports may be reused by someone else's task). */
  public void retainOnly(java.util.Set<SocketAddress> live) {
    states.keySet().retainAll(live);
  }

  /** Endpoints the active check currently holds down. */
  public long downCount() {
    return states.values().stream().filter(state -> state.activeDown).count();
  }
}
