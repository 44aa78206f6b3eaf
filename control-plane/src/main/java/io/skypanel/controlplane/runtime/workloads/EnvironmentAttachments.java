package io.skypanel.controlplane.runtime.workloads;

import io.skypanel.controlplane.runtime.orchestration.DesiredService.SecretMount;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What resources attached to a PaaS environment (add-ons) add to every task of it: processes, release phases and
 * one-off runs. Asked each time a spec is built, so an attachment change reaches the next rollout.
 */
public interface EnvironmentAttachments {

  /** Nothing attached. */
  EnvironmentAttachments NONE = (organizationId, environmentId) -> Future.succeededFuture(Extras.EMPTY);

  /**
   * @param networkIds extra networks the tasks join
   * @param secrets    extra Swarm secrets mounted under {@code /run/secrets}
   * @param env        extra environment variables (they win over config vars of the same name)
   */
  record Extras(List<String> networkIds, List<SecretMount> secrets, Map<String, String> env) {

    public static final Extras EMPTY = new Extras(List.of(), List.of(), Map.of());
  }

  Future<Extras> forEnvironment(UUID organizationId, UUID environmentId);
}
