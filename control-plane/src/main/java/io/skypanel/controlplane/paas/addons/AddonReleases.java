package io.skypanel.controlplane.paas.addons;

import io.skypanel.controlplane.paas.environments.EnvironmentRepository;
import io.skypanel.controlplane.paas.releases.ReleaseService;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A change of what add-ons give an environment (attach, detach, rotated credentials) is a config change: each
 * environment gets a new release of its live image, recording why, and its processes roll onto the new spec.
 */
final class AddonReleases {

  private final ReleaseService releases;
  private final EnvironmentRepository environments = new EnvironmentRepository();

  AddonReleases(ReleaseService releases) {
    this.releases = releases;
  }

  /** Cuts the releases inside the caller's transaction (each environment locked); {@link #afterCommit} rolls them. */
  Future<List<ReleaseService.Cut>> cut(SqlConnection conn, UUID organizationId, List<UUID> environmentIds, String description, UUID userId) {
    List<ReleaseService.Cut> cuts = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (UUID id : environmentIds) {
      chain = chain.compose(v -> environments.byId(conn, organizationId, id, true))
          .compose(env -> env == null ? Future.succeededFuture(null)
              : releases.configChanged(conn, env, env.envVarsSealed(), env.envVarNames(), description, userId))
          .map(cut -> {
            if (cut != null) {
              cuts.add(cut);
            }
            return null;
          });
    }
    return chain.map(v -> cuts);
  }

  void afterCommit(List<ReleaseService.Cut> cuts) {
    cuts.forEach(releases::afterCommit);
  }
}
