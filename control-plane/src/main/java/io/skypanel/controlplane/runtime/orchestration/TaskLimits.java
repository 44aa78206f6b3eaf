package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.model.ResourceRequirements;
import com.github.dockerjava.api.model.ResourceSpecs;
import com.github.dockerjava.api.model.DockerObjectAccessor;
import com.github.dockerjava.api.model.ServiceRestartCondition;
import com.github.dockerjava.api.model.ServiceRestartPolicy;

import java.time.Duration;
import java.util.Locale;

/** CPU, memory and pids limits with their reservations, and the restart policy of a task. Part of {@link ServiceSpecFactory}. */
final class TaskLimits {

  static final Duration RESTART_DELAY = Duration.ofSeconds(5);
  static final Duration RESTART_WINDOW = Duration.ofSeconds(60);
  static final long ON_FAILURE_MAX_ATTEMPTS = 5;
  /** Reservations are a fraction of the limits: enough for the scheduler to spread, small enough to pack. */
  static final double CPU_RESERVATION_FRACTION = 0.1;
  static final double MEMORY_RESERVATION_FRACTION = 0.25;

  private TaskLimits() {
  }

  static ResourceRequirements resources(double cpu, int memoryMb, long pidsLimit) {
    ResourceSpecs limits = new ResourceSpecs();
    ResourceSpecs reservations = new ResourceSpecs();
    if (cpu > 0) {
      long nanos = Math.round(cpu * 1e9);
      limits.withNanoCPUs(nanos);
      reservations.withNanoCPUs(Math.max(1, Math.round(nanos * CPU_RESERVATION_FRACTION)));
    }
    if (memoryMb > 0) {
      long bytes = memoryMb * 1024L * 1024L;
      limits.withMemoryBytes(bytes);
      reservations.withMemoryBytes(Math.round(bytes * MEMORY_RESERVATION_FRACTION));
    }
    if (pidsLimit > 0) {
      DockerObjectAccessor.overrideRawValue(limits, "Pids", pidsLimit);
    }
    return new ResourceRequirements().withLimits(limits).withReservations(reservations);
  }

  static ServiceRestartPolicy restartPolicy(String policy) {
    String p = policy == null ? "any" : policy.trim().toLowerCase(Locale.ROOT);
    ServiceRestartPolicy restart = new ServiceRestartPolicy().withDelay(RESTART_DELAY.toNanos());
    switch (p) {
      case "none", "no" -> restart.withCondition(ServiceRestartCondition.NONE);
      case "on-failure" -> restart.withCondition(ServiceRestartCondition.ON_FAILURE)
          .withMaxAttempts(ON_FAILURE_MAX_ATTEMPTS)
          .withWindow(RESTART_WINDOW.toNanos());
      case "any", "always", "unless-stopped" -> restart.withCondition(ServiceRestartCondition.ANY);
      default -> throw new IllegalArgumentException("unknown restart policy: " + policy);
    }
    return restart;
  }
}
