package io.skypanel.controlplane.paas.addons;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.paas.addons.engines.AddonCredentials;
import io.skypanel.controlplane.paas.addons.engines.AddonEngine;
import io.skypanel.controlplane.paas.releases.ReleaseService;
import io.skypanel.controlplane.runtime.orchestration.DesiredService.SecretMount;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.runtime.orchestration.ServiceSpecFactory;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Credential rotation: the engine's rotate command runs as a helper task on the add-on's network with the old and
 * the new password mounted as secrets; only once it succeeded are the new credentials sealed, the URL secret
 * replaced and every attached environment released (its processes roll onto the new URL), and the server's own
 * password secret swapped. The old secrets go once no task mounts them (the reconciler's sweep).
 */
final class AddonRotation {

  private static final Logger LOG = LoggerFactory.getLogger(AddonRotation.class);
  private static final String OLD = "old-password";
  private static final String NEW = "new-password";

  private final Pool pool;
  private final AddonService service;
  private final AddonRuntime runtime;
  private final AddonReleases releases;
  private final Orchestrator orchestrator;
  private final AddonHelperTask helper;
  private final Duration timeout;
  private final AddonRepository addons = new AddonRepository();
  private final ActivityRepository activity = new ActivityRepository();

  AddonRotation(Pool pool, AddonService service, AddonRuntime runtime, AddonReleases releases, Orchestrator orchestrator, AddonHelperTask helper,
                Duration timeout) {
    this.pool = pool;
    this.service = service;
    this.runtime = runtime;
    this.releases = releases;
    this.orchestrator = orchestrator;
    this.helper = helper;
    this.timeout = timeout;
  }

  public Future<JsonObject> rotate(Principal principal, OrgContext org, UUID addonId, String ip) {
    return service.find(pool, org, addonId).compose(addon -> {
      if (!"available".equals(addon.status())) {
        return Future.failedFuture(ApiException.conflict("addon_not_available", "credentials rotate only while the add-on is available"));
      }
      AddonEngine engine = runtime.engine(addon.service());
      AddonCredentials old = runtime.credentials(addon);
      AddonCredentials fresh = old.withPassword(engine.generateCredentials().password());
      int version = addon.credentialsVersion() + 1;
      String newSecretName = AddonRuntime.passwordSecretName(addon, version);
      return orchestrator.createSecret(newSecretName, AddonRuntime.bytes(fresh.password()), AddonRuntime.labels(addon))
          .compose(newSecretId -> helper.run(addon, engine.image(addon.version()), addon.networkId(), List.of(
                  new SecretMount(addon.passwordSecretId(), AddonRuntime.passwordSecretName(addon, addon.credentialsVersion()), OLD),
                  new SecretMount(newSecretId, newSecretName, NEW)), "rotate-v" + version,
                  engine.rotateCommand(addon.serviceName(), old, ServiceSpecFactory.SECRETS_DIR + OLD, ServiceSpecFactory.SECRETS_DIR + NEW), timeout)
              .recover(err -> {
                LOG.warn("rotating the credentials of add-on {} failed; the old ones stay: {}", addon.id(), err.getMessage());
                return orchestrator.removeSecret(newSecretId).transform(x -> Future.failedFuture(
                    ApiException.unavailable("rotation_failed", "the password could not be changed; the old credentials stay valid")));
              })
              .compose(v -> {
                Addon rotated = addon.withCredentials(runtime.seal(fresh), version, newSecretId, null);
                return orchestrator.createSecret(AddonRuntime.urlSecretName(addon, version), AddonRuntime.bytes(runtime.url(rotated)),
                        AddonRuntime.labels(addon))
                    .map(urlId -> addon.withCredentials(rotated.configSealed(), version, newSecretId, urlId));
              }))
          .compose(rotated -> commit(principal, org, rotated, ip));
    });
  }

  private Future<JsonObject> commit(Principal principal, OrgContext org, Addon rotated, String ip) {
    List<ReleaseService.Cut> cuts = new ArrayList<>();
    return pool.withTransaction(conn -> addons.lock(conn, rotated.id())
            .compose(v -> addons.setCredentials(conn, rotated.id(), rotated.configSealed(), rotated.credentialsVersion(),
                rotated.passwordSecretId(), rotated.urlSecretId()))
            .compose(v -> addons.environments(conn, rotated.id()))
            .compose(envs -> releases.cut(conn, org.organizationId(), envs, "Rotate credentials of add-on " + rotated.name(), principal.userId()))
            .compose(list -> {
              cuts.addAll(list);
              return activity.insert(conn, AddonService.entry(principal, org, "paas.addon.rotate", rotated.id(),
                  new JsonObject().put("credentials_version", rotated.credentialsVersion()), ip));
            }))
        .compose(v -> {
          releases.afterCommit(cuts);
          // the server's health check reads its password file: it must see the new password from now on
          return runtime.update(rotated);
        })
        .compose(v -> service.get(org, rotated.id()));
  }
}
