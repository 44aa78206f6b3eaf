package io.skypanel.controlplane.paas.addons;

import io.skypanel.common.config.Settings;
import io.skypanel.controlplane.ControlPlaneOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where add-ons are placed, and the add-on settings read from configuration. */
class AddonPlacementAndSettingsTest {

  @Test
  void addons_are_pinned_to_data_nodes_only_when_some_node_is_one() {
    assertThat(AddonRuntime.placement(true)).containsExactly("node.labels.skypanel.data==true");
    assertThat(AddonRuntime.placement(false)).isEmpty();
  }

  @Test
  void reads_the_addon_timings_with_defaults() {
    AddonSettings defaults = ControlPlaneOptions.from(new Settings(new JsonObject())).addons();
    assertThat(defaults).isEqualTo(AddonSettings.DEFAULTS);
    assertThat(defaults.provisionTimeout()).isEqualTo(Duration.ofMinutes(5));
    AddonSettings set = ControlPlaneOptions.from(new Settings(new JsonObject().put("SKYPANEL_ADDON_PROVISION_TIMEOUT_S", "60")
        .put("SKYPANEL_ADDON_METRICS_TIMEOUT_S", "5").put("SKYPANEL_ADDON_POSTGRES_STOP_GRACE_S", "300"))).addons();
    assertThat(set.provisionTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(set.metricsTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(set.stopGrace("postgresql")).isEqualTo(Duration.ofSeconds(300));
    assertThat(set.stopGrace("redis")).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void rejects_a_timing_that_is_not_positive_naming_the_setting() {
    assertThatThrownBy(() -> ControlPlaneOptions.from(new Settings(new JsonObject().put("SKYPANEL_ADDON_ROTATION_TIMEOUT_S", "0"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SKYPANEL_ADDON_ROTATION_TIMEOUT_S");
    assertThatThrownBy(() -> ControlPlaneOptions.from(new Settings(new JsonObject().put("SKYPANEL_ADDON_VOLUME_WAIT_S", "-1"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SKYPANEL_ADDON_VOLUME_WAIT_S");
  }
}
