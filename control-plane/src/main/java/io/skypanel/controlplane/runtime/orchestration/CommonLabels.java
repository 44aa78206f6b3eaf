package io.skypanel.controlplane.runtime.orchestration;

import java.util.Map;
import java.util.TreeMap;

/**
 * Labels put on every network, secret, volume and service the orchestrator creates, next to their own (e.g. a
 * platform instance id; tests use them to find what they made).
 */
final class CommonLabels {

  private final Map<String, String> common;

  CommonLabels(Map<String, String> common) {
    this.common = Map.copyOf(common);
  }

  /** The common labels overlaid by the object's own. */
  Map<String, String> with(Map<String, String> own) {
    Map<String, String> merged = new TreeMap<>(common);
    if (own != null) {
      merged.putAll(own);
    }
    return merged;
  }

  /** The desired service carrying the common labels too. */
  DesiredService applyTo(DesiredService d) {
    if (common.isEmpty()) {
      return d;
    }
    return new DesiredService(d.serviceName(), with(d.labels()), d.image(), d.entrypoint(), d.cmd(), d.env(), d.secrets(),
        d.volumes(), d.healthcheck(), d.cpu(), d.memoryMb(), d.replicas(), d.restartPolicy(), d.stopGraceSeconds(),
        d.tier(), d.networkIds(), d.registryLogin(), d.stopSignal());
  }
}
