package io.skypanel.controlplane.paas.addons;

import io.skypanel.common.crypto.SecretBox;
import io.skypanel.common.docker.Labels;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.paas.addons.engines.AddonCredentials;
import io.skypanel.controlplane.paas.addons.engines.AddonEngine;
import io.skypanel.controlplane.paas.addons.engines.AddonEngines;
import io.skypanel.controlplane.runtime.orchestration.DesiredService;
import io.skypanel.controlplane.runtime.orchestration.DesiredService.SecretMount;
import io.skypanel.controlplane.runtime.orchestration.DesiredService.TierSpec;
import io.skypanel.controlplane.runtime.orchestration.DesiredService.VolumeMount;
import io.skypanel.controlplane.runtime.orchestration.Orchestrator;
import io.skypanel.controlplane.runtime.orchestration.ServiceSpecFactory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The Swarm side of one add-on, through the orchestration core: its own internal network {@code skypanel-addon-<id>},
 * its named volume (same name) at the engine's data directory, its password as a Swarm secret, and the hardened
 * service {@code addon-<id>} (no port, no route) that joins only that network. Every step is idempotent, so the
 * reconciler re-runs {@link #ensure} to bring a removed service back on the same volume with the same credentials.
 */
public final class AddonRuntime {

  /** Where the server reads its password (a Swarm secret). */
  public static final String PASSWORD_FILE_NAME = "addon-password";
  /** Nodes meant for data services carry this label; add-ons go there when any node does. */
  public static final String DATA_NODE_LABEL = "skypanel.data";
  /** What helper tasks (run as root with /bin/sh, never the entrypoint) keep; everything else stays dropped. */
  static final List<String> CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID");
  static final long PIDS_LIMIT = 512;

  private final Orchestrator orchestrator;
  private final AddonEngines engines;
  private final SecretBox secrets;
  private final AddonSettings settings;

  public AddonRuntime(Orchestrator orchestrator, AddonEngines engines, SecretBox secrets, AddonSettings settings) {
    this.orchestrator = orchestrator;
    this.engines = engines;
    this.secrets = secrets;
    this.settings = settings;
  }

  /** The engine of the add-on's service kind; 422 when none runs it (a plan that outlived its engine). */
  public AddonEngine engine(String service) {
    return engines.find(service).orElseThrow(() ->
        ApiException.unprocessable("unknown_service", "no add-on engine provides '" + service + "'"));
  }

  /** Opens the sealed credentials (in memory only). */
  public AddonCredentials credentials(Addon addon) {
    JsonObject json = new JsonObject(secrets.decryptToString(addon.configSealed()));
    return new AddonCredentials(json.getString("user"), json.getString("password"), json.getString("database"));
  }

  public String seal(AddonCredentials credentials) {
    return secrets.encrypt(new JsonObject().put("user", credentials.user()).put("password", credentials.password())
        .put("database", credentials.database()).encode());
  }

  /** The URL attached tasks connect with (contains the password). */
  public String url(Addon addon) {
    return engine(addon.service()).connectionUrl(addon.serviceName(), credentials(addon));
  }

  public static String passwordSecretName(Addon addon, int version) {
    return addon.serviceName() + "-password-v" + version;
  }

  public static String urlSecretName(Addon addon, int version) {
    return addon.serviceName() + "-url-v" + version;
  }

  /** The ids it ended up with. */
  public record Objects(String serviceId, String networkId, String passwordSecretId, String urlSecretId) {
  }

  /** Creates what is missing (network, volume, secrets, service); returns every object's id. */
  public Future<Objects> ensure(Addon addon) {
    Map<String, String> own = labels(addon);
    Future<String> network = orchestrator.ensureInternalNetwork(addon.resourceName(), own);
    Future<Void> volume = orchestrator.createVolume(addon.resourceName(), own);
    Future<String> password = addon.passwordSecretId() != null ? Future.succeededFuture(addon.passwordSecretId())
        : orchestrator.createSecret(passwordSecretName(addon, addon.credentialsVersion()), bytes(credentials(addon).password()), own);
    Future<String> url = addon.urlSecretId() != null ? Future.succeededFuture(addon.urlSecretId())
        : orchestrator.createSecret(urlSecretName(addon, addon.credentialsVersion()), bytes(url(addon)), own);
    return Future.all(network, volume, password, url)
        .compose(all -> orchestrator.inspect(addon.serviceName()).compose(state -> state != null
            ? Future.succeededFuture(state.serviceId())
            : desired(addon, network.result(), password.result()).compose(orchestrator::createService)))
        .map(serviceId -> new Objects(serviceId, network.result(), password.result(), url.result()));
  }

  /** Applies the add-on's current plan and password secret to its service (stop-first: two servers never share the volume). */
  public Future<Void> update(Addon addon) {
    return desired(addon, addon.networkId(), addon.passwordSecretId())
        .compose(desired -> orchestrator.updateService(addon.serviceName(), desired));
  }

  /** The hardened service the add-on should be, built fresh. */
  Future<DesiredService> desired(Addon addon, String networkId, String passwordSecretId) {
    AddonEngine engine = engine(addon.service());
    String image = engine.image(addon.version());
    if (image == null) {
      return Future.failedFuture(ApiException.unprocessable("unknown_version", addon.service() + " " + addon.version() + " is not offered"));
    }
    AddonCredentials credentials = credentials(addon);
    String passwordFile = ServiceSpecFactory.SECRETS_DIR + PASSWORD_FILE_NAME;
    // decided at every create and update of the service (provisioning, resize, rotation, the reconciler's re-creation);
    // a running service is not moved by the label alone: its volume is local to its node
    return orchestrator.anyNodeLabelled(DATA_NODE_LABEL, "true").map(dataNodes -> new DesiredService(addon.serviceName(), labels(addon),
        image, null, engine.serverCommand(passwordFile), engine.serverEnvironment(credentials, passwordFile),
        List.of(new SecretMount(passwordSecretId, passwordSecretName(addon, addon.credentialsVersion()), PASSWORD_FILE_NAME,
            engine.passwordFileMode())),
        List.of(new VolumeMount(addon.resourceName(), engine.dataDirectory(), false)),
        engine.healthcheck(credentials, passwordFile), addon.cpu(), addon.memoryMb(), 1, "any",
        (int) settings.stopGrace(engine.service()).toSeconds(),
        new TierSpec("addon", List.copyOf(new java.util.TreeSet<>(engine.capabilities())), false, PIDS_LIMIT, placement(dataNodes)),
        List.of(networkId), null, engine.stopSignal()));
  }

  /** Add-ons go to the data nodes when there are any ({@link #DATA_NODE_LABEL}{@code =true}), anywhere otherwise. */
  static List<String> placement(boolean dataNodesExist) {
    return dataNodesExist ? List.of("node.labels." + DATA_NODE_LABEL + "==true") : List.of();
  }

  /** Removes service, network, volume and secrets; each step tolerates what is already gone. */
  public Future<Void> removeService(Addon addon) {
    return orchestrator.removeService(addon.serviceName());
  }

  public Future<Void> removeVolumeAndNetwork(Addon addon) {
    return orchestrator.removeVolume(addon.resourceName()).compose(v -> orchestrator.removeNetwork(addon.resourceName()));
  }

  /** Secrets of the add-on other than {@code keep} (all of them when empty); ones still mounted stay for a later call. */
  public Future<Void> removeSecrets(Addon addon, List<String> keep) {
    return orchestrator.removeSecretsLabelled(Labels.ADDON, addon.id().toString(), keep);
  }

  static Map<String, String> labels(Addon addon) {
    return Map.of(Labels.ORG, addon.organizationId().toString(), Labels.ADDON, addon.id().toString(),
        Labels.UPDATE_ORDER, Labels.STOP_FIRST, Labels.ENDPOINT_MODE, Labels.DNSRR);
  }

  static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
