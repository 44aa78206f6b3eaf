package io.skypanel.controlplane.paas.addons;

import io.skypanel.common.config.Settings;

import java.time.Duration;

/**
 * The add-ons' timings, read once from configuration ({@code SKYPANEL_ADDON_*}) by {@code ControlPlaneOptions}; a value
 * that is not positive stops the start with a message naming the setting. docs/operations.md lists them.
 *
 * @param provisionTimeout how long a new add-on may take to pass its first health check before it is {@code failed}
 * @param rotationTimeout  how long the credential rotation's helper task may run
 * @param helperPoll       how often a helper task's state is read while waiting for it to end
 * @param volumeWait       how long a removal keeps retrying the volume while the stopped task's container holds it
 * @param removalRetry     the pause between those retries
 * @param metricsTimeout   how long the metrics' query inside the server's task may run
 * @param postgresStopGrace how long Swarm waits after SIGINT before it kills a PostgreSQL server (its shutdown checkpoint)
 * @param stopGrace        the same for the other engines (after SIGTERM)
 */
public record AddonSettings(Duration provisionTimeout, Duration rotationTimeout, Duration helperPoll, Duration volumeWait,
                            Duration removalRetry, Duration metricsTimeout, Duration postgresStopGrace, Duration stopGrace) {

  /** The defaults (also what tests build modules with). */
  public static final AddonSettings DEFAULTS = new AddonSettings(Duration.ofMinutes(5), Duration.ofMinutes(2), Duration.ofSeconds(1),
      Duration.ofSeconds(90), Duration.ofSeconds(1), Duration.ofSeconds(20), Duration.ofSeconds(120), Duration.ofSeconds(30));

  public AddonSettings {
    require(provisionTimeout, "SKYPANEL_ADDON_PROVISION_TIMEOUT_S");
    require(rotationTimeout, "SKYPANEL_ADDON_ROTATION_TIMEOUT_S");
    require(helperPoll, "SKYPANEL_ADDON_HELPER_POLL_MS");
    require(volumeWait, "SKYPANEL_ADDON_VOLUME_WAIT_S");
    require(removalRetry, "SKYPANEL_ADDON_REMOVAL_RETRY_MS");
    require(metricsTimeout, "SKYPANEL_ADDON_METRICS_TIMEOUT_S");
    require(postgresStopGrace, "SKYPANEL_ADDON_POSTGRES_STOP_GRACE_S");
    require(stopGrace, "SKYPANEL_ADDON_STOP_GRACE_S");
  }

  /** Reads the settings, each defaulting to {@link #DEFAULTS}. */
  public static AddonSettings from(Settings settings) {
    return new AddonSettings(
        Duration.ofSeconds(settings.longValue("SKYPANEL_ADDON_PROVISION_TIMEOUT_S", DEFAULTS.provisionTimeout.toSeconds())),
        Duration.ofSeconds(settings.longValue("SKYPANEL_ADDON_ROTATION_TIMEOUT_S", DEFAULTS.rotationTimeout.toSeconds())),
        Duration.ofMillis(settings.longValue("SKYPANEL_ADDON_HELPER_POLL_MS", DEFAULTS.helperPoll.toMillis())),
        Duration.ofSeconds(settings.longValue("SKYPANEL_ADDON_VOLUME_WAIT_S", DEFAULTS.volumeWait.toSeconds())),
        Duration.ofMillis(settings.longValue("SKYPANEL_ADDON_REMOVAL_RETRY_MS", DEFAULTS.removalRetry.toMillis())),
        Duration.ofSeconds(settings.longValue("SKYPANEL_ADDON_METRICS_TIMEOUT_S", DEFAULTS.metricsTimeout.toSeconds())),
        Duration.ofSeconds(settings.longValue("SKYPANEL_ADDON_POSTGRES_STOP_GRACE_S", DEFAULTS.postgresStopGrace.toSeconds())),
        Duration.ofSeconds(settings.longValue("SKYPANEL_ADDON_STOP_GRACE_S", DEFAULTS.stopGrace.toSeconds())));
  }

  /** The stop grace period of an engine's server: PostgreSQL's (long enough to checkpoint) or everyone else's. */
  public Duration stopGrace(String service) {
    return io.skypanel.controlplane.paas.addons.engines.PostgresEngine.SERVICE.equals(service) ? postgresStopGrace : stopGrace;
  }

  private static void require(Duration value, String setting) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(setting + " must be positive");
    }
  }
}
