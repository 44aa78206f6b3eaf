package io.skypanel.controlplane.paas.addons.engines;

import com.github.dockerjava.api.model.ContainerSpec;
import io.skypanel.controlplane.runtime.orchestration.DesiredService;
import io.skypanel.controlplane.runtime.orchestration.ServiceSpecFactory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engines' metrics queries and the parsing of their servers' answers, and how each server is stopped. */
class AddonServerMetricsTest {

  private static final AddonEngines ENGINES = AddonEngineFactory.create(AddonImages.parse(AddonImages.DEFAULTS));
  private static final AddonCredentials CREDENTIALS = new AddonCredentials("u1", "p@ss'w\"rd", "d1");
  private static final String FILE = "/run/secrets/addon-password";

  private static AddonEngine engine(String service) {
    return ENGINES.find(service).orElseThrow();
  }

  @Test
  void postgres_reads_the_database_size_and_the_other_client_sessions() {
    AddonEngine postgres = engine("postgresql");
    assertThat(postgres.metricsCommand(CREDENTIALS, FILE)).contains("pg_database_size(current_database())", "pg_stat_activity",
        "pid <> pg_backend_pid()", "--host='127.0.0.1'", "cat '" + FILE + "'");
    assertThat(postgres.parseMetrics("size_bytes=7738915\nconnections=2\n")).isEqualTo(new ServerMetrics(7_738_915, 2));
  }

  @Test
  void mariadb_reads_the_schema_size_and_threads_connected_less_its_own() {
    AddonEngine mariadb = engine("mysql");
    assertThat(mariadb.metricsCommand(CREDENTIALS, FILE)).contains("information_schema.tables", "THREADS_CONNECTED", "VARIABLE_VALUE - 1",
        "--database='d1'", "--protocol=tcp");
    assertThat(mariadb.parseMetrics("size_bytes=49152\nconnections=0\n")).isEqualTo(new ServerMetrics(49_152, 0));
  }

  @Test
  void redis_reads_info_and_the_data_directory_not_counting_its_own_client() {
    AddonEngine redis = engine("redis");
    assertThat(redis.metricsCommand(CREDENTIALS, FILE)).contains("INFO clients memory", "du -sb /data");
    String info = "# Clients\r\nconnected_clients:3\r\ncluster_connections:0\r\nmaxclients:10000\r\n\r\n# Memory\r\n"
        + "used_memory:1022416\r\nused_memory_human:998.45K\r\n\r\ndisk_bytes=8812\n";
    assertThat(redis.parseMetrics(info)).isEqualTo(new ServerMetrics(8812, 2));
  }

  @Test
  void rejects_an_answer_that_lacks_a_figure_or_is_not_a_number() {
    assertThatThrownBy(() -> engine("postgresql").parseMetrics("size_bytes=12\n")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connections");
    assertThatThrownBy(() -> engine("mysql").parseMetrics("size_bytes=NULL\nconnections=1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("size_bytes");
    assertThatThrownBy(() -> engine("redis").parseMetrics("psql: error: connection refused")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void never_puts_the_password_in_the_metrics_query() {
    for (AddonEngine engine : ENGINES.all()) {
      assertThat(engine.metricsCommand(CREDENTIALS, FILE)).as(engine.service()).doesNotContain(CREDENTIALS.password()).doesNotContain("p@ss")
          .contains(FILE);
    }
  }

  @Test
  void postgres_stops_with_sigint_and_the_others_with_sigterm_in_the_service_spec() {
    assertThat(engine("postgresql").stopSignal()).isEqualTo("SIGINT");
    assertThat(engine("mysql").stopSignal()).isEqualTo("SIGTERM");
    assertThat(engine("redis").stopSignal()).isEqualTo("SIGTERM");
    ContainerSpec withSignal = container(new DesiredService("s", Map.of(), "img", null, null, Map.of(), List.of(), List.of(), null, 1, 256, 1,
        "any", 120, tier(), List.of(), null, "SIGINT"));
    assertThat(withSignal.getStopSignal()).isEqualTo("SIGINT");
    assertThat(withSignal.getStopGracePeriod()).isEqualTo(120_000_000_000L);
    ContainerSpec imageDefault = container(new DesiredService("s", Map.of(), "img", null, null, Map.of(), List.of(), List.of(), null, 1, 256, 1,
        "any", 10, tier(), List.of(), null));
    assertThat(imageDefault.getStopSignal()).isNull();
  }

  private static DesiredService.TierSpec tier() {
    return new DesiredService.TierSpec("addon", List.of(), false, 256, List.of());
  }

  private static ContainerSpec container(DesiredService desired) {
    return new ServiceSpecFactory(ServiceSpecFactory.Rollout.DEFAULT, false).build(desired).getTaskTemplate().getContainerSpec();
  }
}
