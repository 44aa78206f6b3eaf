package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.UpdateOrder;
import com.github.dockerjava.core.DockerClientConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The spec builder is a pure function: these tests look at the JSON docker-java would send to the engine, so raw
 * values (CapabilityDrop, Pids, ...) are checked exactly as the engine receives them.
 */
class ServiceSpecFactoryTest {

  private static final long SECOND = 1_000_000_000L;
  private static final ServiceSpecFactory FACTORY =
      new ServiceSpecFactory(new ServiceSpecFactory.Rollout(Duration.ofSeconds(7), Duration.ofSeconds(1), UpdateOrder.START_FIRST), false);

  static DesiredService.TierSpec tier(boolean readOnly) {
    return new DesiredService.TierSpec("standard", List.of("NET_BIND_SERVICE", "chown"), readOnly, 128,
        List.of("node.role==worker"));
  }

  static DesiredService desired(DesiredService.TierSpec tier, DesiredService.HealthcheckSpec health) {
    return new DesiredService("c-1234", Map.of("skypanel.org", "o1", "skypanel.container", "1234"), "nginx:1.27",
        null, List.of("serve", "--port", "8080"), Map.of("B", "2", "A", "1"),
        List.of(new DesiredService.SecretMount("sec-id", "c-1234-db-password-v1", "db_password")),
        List.of(new DesiredService.VolumeMount("vol-data", "/data", false)),
        health, 0.5, 256, 2, "on-failure", 15, tier, List.of("net-1"), null);
  }

  static JsonObject json(ServiceSpec spec) throws Exception {
    return new JsonObject(DockerClientConfig.getDefaultObjectMapper().writeValueAsString(spec));
  }

  static JsonObject containerSpec(JsonObject spec) {
    return spec.getJsonObject("TaskTemplate").getJsonObject("ContainerSpec");
  }

  @Test
  void drops_all_capabilities_and_adds_back_only_the_tier_ones() throws Exception {
    JsonObject container = containerSpec(json(FACTORY.build(desired(tier(false), null))));

    assertThat(container.getJsonArray("CapabilityDrop")).containsExactly("ALL");
    assertThat(container.getJsonArray("CapabilityAdd")).containsExactly("NET_BIND_SERVICE", "CHOWN");
    assertThat(container.getBoolean("Init")).isTrue();
    assertThat(container.getValue("Privileges")).as("NoNewPrivileges is not sent to engines older than API 1.44").isNull();
    assertThat(container.getJsonArray("Env")).containsExactly("A=1", "B=2");
    assertThat(container.getJsonArray("Args")).containsExactly("serve", "--port", "8080");
    assertThat(container.getValue("Command")).as("the image's ENTRYPOINT is kept").isNull();
    assertThat(container.getLong("StopGracePeriod")).isEqualTo(15 * SECOND);
    assertThat(container.getJsonObject("Labels").getMap()).containsEntry("skypanel.container", "1234");
  }

  @Test
  void sends_no_new_privileges_only_when_the_engine_supports_it() throws Exception {
    ServiceSpecFactory modern = new ServiceSpecFactory(ServiceSpecFactory.Rollout.DEFAULT, true);
    JsonObject container = containerSpec(json(modern.build(desired(tier(false), null))));

    assertThat(container.getJsonObject("Privileges").getBoolean("NoNewPrivileges")).isTrue();
    assertThat(SwarmOrchestrator.apiAtLeast("1.41", 1, 44)).isFalse();
    assertThat(SwarmOrchestrator.apiAtLeast("1.44", 1, 44)).isTrue();
    assertThat(SwarmOrchestrator.apiAtLeast("1.47", 1, 44)).isTrue();
    assertThat(SwarmOrchestrator.apiAtLeast(null, 1, 44)).isFalse();
  }

  @Test
  void a_tier_cannot_add_back_every_capability() {
    DesiredService.TierSpec tier = new DesiredService.TierSpec("bad", List.of("ALL"), false, 0, List.of());
    assertThatThrownBy(() -> FACTORY.build(desired(tier, null))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void publishes_no_port_and_joins_only_the_given_networks() throws Exception {
    JsonObject spec = json(FACTORY.build(desired(tier(false), null)));

    JsonObject endpoint = spec.getJsonObject("EndpointSpec");
    assertThat(endpoint == null || endpoint.getJsonArray("Ports") == null || endpoint.getJsonArray("Ports").isEmpty())
        .as("no tenant task publishes a host port: " + endpoint).isTrue();
    JsonArray networks = spec.getJsonObject("TaskTemplate").getJsonArray("Networks");
    assertThat(networks).hasSize(1);
    assertThat(networks.getJsonObject(0).getString("Target")).isEqualTo("net-1");
  }

  @Test
  void rolls_out_one_task_at_a_time_start_first_and_rolls_back_on_failure() throws Exception {
    JsonObject spec = json(FACTORY.build(desired(tier(false), null)));
    JsonObject update = spec.getJsonObject("UpdateConfig");
    JsonObject rollback = spec.getJsonObject("RollbackConfig");

    assertThat(update.getLong("Parallelism")).isEqualTo(1);
    assertThat(update.getString("Order")).isEqualTo("start-first");
    assertThat(update.getString("FailureAction")).isEqualTo("rollback");
    assertThat(update.getLong("Monitor")).isEqualTo(7 * SECOND);
    assertThat(update.getLong("Delay")).isEqualTo(SECOND);
    assertThat(update.getDouble("MaxFailureRatio")).isZero();
    assertThat(rollback.getLong("Parallelism")).isEqualTo(1);
    assertThat(rollback.getString("Order")).isEqualTo("start-first");
    assertThat(spec.getJsonObject("Mode").getJsonObject("Replicated").getLong("Replicas")).isEqualTo(2);
    assertThat(spec.getString("Name")).isEqualTo("c-1234");
    assertThat(spec.getJsonObject("Labels").getMap()).containsEntry("skypanel.org", "o1");
  }

  @Test
  void a_read_only_root_filesystem_gets_a_tmpfs_at_tmp() throws Exception {
    JsonObject readOnly = containerSpec(json(FACTORY.build(desired(tier(true), null))));
    JsonObject writable = containerSpec(json(FACTORY.build(desired(tier(false), null))));

    assertThat(readOnly.getBoolean("ReadOnly")).isTrue();
    JsonArray mounts = readOnly.getJsonArray("Mounts");
    assertThat(mounts).hasSize(2);
    assertThat(mounts.getJsonObject(0).getString("Type")).isEqualTo("volume");
    assertThat(mounts.getJsonObject(0).getString("Source")).isEqualTo("vol-data");
    assertThat(mounts.getJsonObject(0).getString("Target")).isEqualTo("/data");
    JsonObject tmp = mounts.getJsonObject(1);
    assertThat(tmp.getString("Type")).isEqualTo("tmpfs");
    assertThat(tmp.getString("Target")).isEqualTo("/tmp");
    assertThat(tmp.getJsonObject("TmpfsOptions").getInteger("Mode")).isEqualTo(01777);

    assertThat(writable.getBoolean("ReadOnly")).isFalse();
    assertThat(writable.getJsonArray("Mounts")).hasSize(1);
  }

  @Test
  void never_mounts_host_paths_or_the_docker_socket() {
    for (String source : List.of("/var/run/docker.sock", "/etc", "../x", "")) {
      DesiredService base = desired(tier(false), null);
      DesiredService hostPath = withVolumes(base, List.of(new DesiredService.VolumeMount(source, "/data", false)));
      assertThatThrownBy(() -> FACTORY.build(hostPath)).as(source).isInstanceOf(IllegalArgumentException.class);
    }
    DesiredService socketTarget = withVolumes(desired(tier(false), null),
        List.of(new DesiredService.VolumeMount("vol", "/var/run/docker.sock", false)));
    assertThatThrownBy(() -> FACTORY.build(socketTarget)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sets_cpu_memory_and_pids_limits_with_modest_reservations() throws Exception {
    JsonObject resources = json(FACTORY.build(desired(tier(false), null))).getJsonObject("TaskTemplate").getJsonObject("Resources");
    JsonObject limits = resources.getJsonObject("Limits");
    JsonObject reservations = resources.getJsonObject("Reservations");

    assertThat(limits.getLong("NanoCPUs")).isEqualTo(500_000_000L);
    assertThat(limits.getLong("MemoryBytes")).isEqualTo(256L * 1024 * 1024);
    assertThat(limits.getLong("Pids")).isEqualTo(128);
    assertThat(reservations.getLong("NanoCPUs")).isPositive().isLessThan(limits.getLong("NanoCPUs"));
    assertThat(reservations.getLong("MemoryBytes")).isPositive().isLessThan(limits.getLong("MemoryBytes"));
    assertThat(reservations.getValue("Pids")).isNull();

    DesiredService.TierSpec noPids = new DesiredService.TierSpec("x", List.of(), false, 0, List.of());
    JsonObject unlimited = json(FACTORY.build(desired(noPids, null))).getJsonObject("TaskTemplate")
        .getJsonObject("Resources").getJsonObject("Limits");
    assertThat(unlimited.getValue("Pids")).isNull();
  }

  @Test
  void restart_policy_placement_networks_and_secrets() throws Exception {
    JsonObject task = json(FACTORY.build(desired(tier(false), null))).getJsonObject("TaskTemplate");

    JsonObject restart = task.getJsonObject("RestartPolicy");
    assertThat(restart.getString("Condition")).isEqualTo("on-failure");
    assertThat(restart.getLong("MaxAttempts")).isPositive();
    assertThat(restart.getLong("Delay")).isPositive();
    assertThat(task.getJsonObject("Placement").getJsonArray("Constraints")).containsExactly("node.role==worker");
    assertThat(task.getJsonArray("Networks").getJsonObject(0).getString("Target")).isEqualTo("net-1");

    JsonObject secret = task.getJsonObject("ContainerSpec").getJsonArray("Secrets").getJsonObject(0);
    assertThat(secret.getString("SecretID")).isEqualTo("sec-id");
    assertThat(secret.getString("SecretName")).isEqualTo("c-1234-db-password-v1");
    JsonObject file = secret.getJsonObject("File");
    assertThat(file.getString("Name")).isEqualTo("db_password");
    assertThat(file.getString("UID")).isEqualTo("0");
    assertThat(file.getString("GID")).isEqualTo("0");
    assertThat(file.getLong("Mode")).isEqualTo(0400);

    assertThat(TaskLimits.restartPolicy("none").getCondition().name()).isEqualTo("NONE");
    assertThat(TaskLimits.restartPolicy("any").getCondition().name()).isEqualTo("ANY");
    assertThat(TaskLimits.restartPolicy("any").getMaxAttempts()).isNull();
    assertThatThrownBy(() -> TaskLimits.restartPolicy("sometimes")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServiceSpecFactory.networks(List.of("host"))).isInstanceOf(IllegalArgumentException.class);
  }

  /** The wget-less http probe: GET over bash's /dev/tcp, the path as $1, healthy on a 2xx/3xx status line. */
  private static final String BASH_PROBE_8080 = "exec 3<>/dev/tcp/127.0.0.1/8080 && printf \"GET %s HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n\" \"$1\" >&3"
            + " && IFS= read -r -t 10 status <&3 && re=\"^HTTP/[0-9.]+ [23][0-9][0-9]\" && [[ $status =~ $re ]]";
  private static final String BASH_PROBE_80 = "exec 3<>/dev/tcp/127.0.0.1/80 && printf \"GET %s HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n\" \"$1\" >&3"
            + " && IFS= read -r -t 10 status <&3 && re=\"^HTTP/[0-9.]+ [23][0-9][0-9]\" && [[ $status =~ $re ]]";

  @Test
  void health_checks_probe_inside_the_container_with_nanosecond_timings() throws Exception {
    DesiredService.HealthcheckSpec http = new DesiredService.HealthcheckSpec("http", 8080, "/healthz", null, 2, 1, 3, 4);
    JsonObject health = containerSpec(json(FACTORY.build(desired(tier(false), http)))).getJsonObject("Healthcheck");

    assertThat(health.getJsonArray("Test"))
        .containsExactly("CMD-SHELL", "if command -v wget >/dev/null 2>&1; then wget -q -O /dev/null http://127.0.0.1:8080/healthz; "
            + "else bash -c '" + BASH_PROBE_8080 + "' _ /healthz; fi || exit 1");
    assertThat(health.getLong("Interval")).isEqualTo(2 * SECOND);
    assertThat(health.getLong("Timeout")).isEqualTo(SECOND);
    assertThat(health.getInteger("Retries")).isEqualTo(3);
    assertThat(health.getLong("StartPeriod")).isEqualTo(4 * SECOND);

    assertThat(HealthChecks.healthcheckTest(new DesiredService.HealthcheckSpec("tcp", 5432, null, null, 1, 1, 1, 0)))
        .containsExactly("CMD-SHELL", "if command -v nc >/dev/null 2>&1; then nc -w 2 127.0.0.1 5432 </dev/null; "
            + "else bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432'; fi || exit 1");
    assertThat(HealthChecks.healthcheckTest(new DesiredService.HealthcheckSpec("cmd", null, null, "pg_isready", 1, 1, 1, 0)))
        .containsExactly("CMD-SHELL", "pg_isready");
    assertThat(HealthChecks.healthcheckTest(new DesiredService.HealthcheckSpec("http", 80, null, null, 1, 1, 1, 0)))
        .containsExactly("CMD-SHELL", "if command -v wget >/dev/null 2>&1; then wget -q -O /dev/null http://127.0.0.1:80/; "
            + "else bash -c '" + BASH_PROBE_80 + "' _ /; fi || exit 1");
    // a path with shell syntax is quoted, never interpreted
    assertThat(HealthChecks.healthcheckTest(new DesiredService.HealthcheckSpec("http", 80, "/x;reboot", null, 1, 1, 1, 0)))
        .containsExactly("CMD-SHELL", "if command -v wget >/dev/null 2>&1; then wget -q -O /dev/null 'http://127.0.0.1:80/x;reboot'; "
            + "else bash -c '" + BASH_PROBE_80 + "' _ '/x;reboot'; fi || exit 1");
    assertThatThrownBy(() -> HealthChecks.healthcheckTest(new DesiredService.HealthcheckSpec("http", null, "/", null, 1, 1, 1, 0)))
        .isInstanceOf(IllegalArgumentException.class);

    JsonObject none = containerSpec(json(FACTORY.build(desired(tier(false), null))));
    assertThat(none.getValue("Healthcheck")).as("null keeps the image's own health check").isNull();
  }

  @Test
  void every_build_is_fresh_and_identical_for_the_same_input() throws Exception {
    DesiredService desired = desired(tier(true), null);
    assertThat(json(FACTORY.build(desired))).isEqualTo(json(FACTORY.build(desired)));
  }

  @Test
  void registry_login_becomes_docker_auth() {
    assertThat(ServiceSpecFactory.authConfig(null)).isNull();
    var auth = ServiceSpecFactory.authConfig(new DesiredService.RegistryLogin("registry.example:5000", "u", "p"));
    assertThat(auth.getRegistryAddress()).isEqualTo("registry.example:5000");
    assertThat(auth.getUsername()).isEqualTo("u");
    assertThat(auth.getPassword()).isEqualTo("p");
  }

  private static DesiredService withVolumes(DesiredService d, List<DesiredService.VolumeMount> volumes) {
    return new DesiredService(d.serviceName(), d.labels(), d.image(), d.entrypoint(), d.cmd(), d.env(), d.secrets(),
        new ArrayList<>(volumes), d.healthcheck(), d.cpu(), d.memoryMb(), d.replicas(), d.restartPolicy(), d.stopGraceSeconds(),
        d.tier(), d.networkIds(), d.registryLogin());
  }
}
