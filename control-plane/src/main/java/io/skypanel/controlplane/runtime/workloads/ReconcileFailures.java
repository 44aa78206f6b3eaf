package io.skypanel.controlplane.runtime.workloads;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which workloads fail to reconcile, and why: a failure is logged once, with its cause, when a workload starts
 * failing or fails for another reason, and its recovery once; the periodic sweep that meets the same failure again
 * logs nothing (the workload's own status and events say it all along).
 */
public final class ReconcileFailures {

  private static final Logger LOG = LoggerFactory.getLogger(ReconcileFailures.class);
  private static final int LIMIT = 10_000;

  private final Map<UUID, String> failing = new ConcurrentHashMap<>();

  /** Logs the failure unless this workload failed for the same reason the last time. */
  public void failed(UUID workloadId, Throwable cause) {
    String reason = reason(cause);
    if (failing.size() >= LIMIT && !failing.containsKey(workloadId)) {
      failing.clear(); // a bound on memory; at worst a failure is logged once more
    }
    String previous = failing.put(workloadId, reason);
    if (!reason.equals(previous)) {
      LOG.warn("workload {} could not be reconciled: {}", workloadId, reason, cause);
    }
  }

  /** The workload reconciled (or is gone): logs its recovery when it had been failing. */
  public void succeeded(UUID workloadId) {
    String previous = failing.remove(workloadId);
    if (previous != null) {
      LOG.info("workload {} reconciles again (it failed: {})", workloadId, previous);
    }
  }

  /** The reason recorded on the workload: the exception's message, else its type. */
  static String reason(Throwable cause) {
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
