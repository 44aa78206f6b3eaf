package io.skypanel.controlplane.paas.addons;

import io.skypanel.controlplane.runtime.orchestration.DesiredService.SecretMount;
import io.skypanel.controlplane.runtime.workloads.EnvironmentAttachments;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What attached add-ons give every task of an environment: the add-on's network, its URL as a Swarm secret mounted
 * at {@code /run/secrets/<VAR>}, {@code <VAR>_FILE} pointing there, and {@code <VAR>} itself unless the environment
 * turned {@code addon_env_credentials} off. Add-ons being removed, or not provisioned yet, give nothing.
 */
final class AddonEnvironmentAttachments implements EnvironmentAttachments {

  static final int URL_FILE_MODE = 0444;

  private final Pool pool;
  private final AddonRuntime runtime;
  private final AddonRepository addons = new AddonRepository();

  AddonEnvironmentAttachments(Pool pool, AddonRuntime runtime) {
    this.pool = pool;
    this.runtime = runtime;
  }

  @Override
  public Future<Extras> forEnvironment(UUID organizationId, UUID environmentId) {
    return addons.attachedTo(pool, organizationId, environmentId).compose(attached -> {
      List<Addon> usable = attached.stream()
          .filter(a -> !"deprovisioning".equals(a.status()) && a.networkId() != null && a.urlSecretId() != null)
          .toList();
      if (usable.isEmpty()) {
        return Future.succeededFuture(Extras.EMPTY);
      }
      return addons.envCredentials(pool, organizationId, environmentId).map(plain -> {
        List<String> networks = new ArrayList<>();
        List<SecretMount> secrets = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        for (Addon addon : usable) {
          networks.add(addon.networkId());
          // readable by the app's own user, whichever it is (the same URL is in its environment unless turned off)
          secrets.add(new SecretMount(addon.urlSecretId(), AddonRuntime.urlSecretName(addon, addon.credentialsVersion()), addon.varName(),
              URL_FILE_MODE));
          env.put(addon.varName() + AddonVariables.FILE_SUFFIX, AddonVariables.FILE_DIR + addon.varName());
          if (plain) {
            env.put(addon.varName(), runtime.url(addon));
          }
        }
        return new Extras(networks, secrets, env);
      });
    });
  }
}
