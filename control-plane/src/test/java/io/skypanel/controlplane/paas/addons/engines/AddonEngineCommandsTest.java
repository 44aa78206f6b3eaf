package io.skypanel.controlplane.paas.addons.engines;

import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.ServiceSpec;
import io.skypanel.common.config.Settings;
import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.controlplane.runtime.orchestration.DesiredService;
import io.skypanel.controlplane.runtime.orchestration.ServiceSpecFactory;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engines' pure parts: images from configuration, URLs, and commands that never carry a password. */
class AddonEngineCommandsTest {

  private static final AddonEngines ENGINES = AddonEngineFactory.create(AddonImages.parse(AddonImages.DEFAULTS));
  private static final AddonCredentials TRICKY = new AddonCredentials("u1", "p@ss:w/o'rd\" \\x", "d1");
  private static final String FILE = "/run/secrets/password";

  @Test
  void offers_the_local_images_by_default_and_the_configured_ones_otherwise() {
    assertThat(ENGINES.find("postgresql").orElseThrow().image("15")).isEqualTo("skypanel/addon-postgres:15");
    assertThat(ENGINES.find("mysql").orElseThrow().image("10.11")).isEqualTo("skypanel/addon-mariadb:10.11");
    assertThat(ENGINES.find("redis").orElseThrow().image("7")).isEqualTo("skypanel/addon-redis:7");
    assertThat(ENGINES.find("redis").orElseThrow().image("6")).isNull();

    AddonImages official = AddonImages.parse("postgresql:15=postgres:15, postgresql:16=docker.io/library/postgres:16,redis:7=redis:7");
    AddonEngines engines = AddonEngineFactory.create(official);
    assertThat(engines.find("postgresql").orElseThrow().image("16")).isEqualTo("docker.io/library/postgres:16");
    assertThat(engines.find("mysql").orElseThrow().image("10.11")).isNull();
    assertThat(official.versions("postgresql")).containsOnlyKeys("15", "16");
  }

  @Test
  void rejects_a_malformed_image_setting_naming_it() {
    assertThatThrownBy(() -> AddonImages.parse("postgresql=postgres:15")).hasMessageContaining("SKYPANEL_ADDON_IMAGES");
    assertThatThrownBy(() -> AddonImages.parse("postgresql:15=")).hasMessageContaining("SKYPANEL_ADDON_IMAGES");
    assertThatThrownBy(() -> AddonImages.parse("redis:7=redis 7")).hasMessageContaining("SKYPANEL_ADDON_IMAGES");
    assertThatThrownBy(() -> ControlPlaneOptions.from(new Settings(new JsonObject().put("SKYPANEL_ADDON_IMAGES", "redis"))))
        .hasMessageContaining("SKYPANEL_ADDON_IMAGES");
    assertThat(ControlPlaneOptions.from(new Settings(new JsonObject())).addonImages().image("mysql", "10.11"))
        .isEqualTo("skypanel/addon-mariadb:10.11");
  }

  @Test
  void builds_connection_urls_with_encoded_credentials() {
    AddonEngine postgres = ENGINES.find("postgresql").orElseThrow();
    assertThat(postgres.urlVariable()).isEqualTo("DATABASE_URL");
    assertThat(postgres.connectionUrl("tasks.a-1", new AddonCredentials("u1", "p@ss:w/rd", "d1")))
        .isEqualTo("postgres://u1:p%40ss%3Aw%2Frd@tasks.a-1:5432/d1");
    assertThat(ENGINES.find("mysql").orElseThrow().connectionUrl("h", new AddonCredentials("u", "a b", "d")))
        .isEqualTo("mysql://u:a%20b@h:3306/d");
    AddonEngine redis = ENGINES.find("redis").orElseThrow();
    AddonCredentials credentials = redis.generateCredentials();
    assertThat(credentials.user()).isEqualTo("default");
    assertThat(redis.connectionUrl("h", credentials)).isEqualTo("redis://default:" + credentials.password() + "@h:6379");
  }

  @Test
  void generates_distinct_url_safe_passwords_and_sql_safe_names() {
    for (AddonEngine engine : ENGINES.all()) {
      AddonCredentials a = engine.generateCredentials();
      AddonCredentials b = engine.generateCredentials();
      assertThat(a.password()).matches("[A-Za-z0-9_-]{32}").isNotEqualTo(b.password());
      assertThat(a.user()).matches("[a-z][a-z0-9]*");
      assertThat(a.database()).matches("[a-z0-9]+");
      assertThat(a.toString()).doesNotContain(a.password());
    }
  }

  @Test
  void never_puts_the_password_in_the_server_spec_or_a_command() {
    for (AddonEngine engine : ENGINES.all()) {
      List<String> texts = new ArrayList<>();
      texts.add(engine.serverEnvironment(TRICKY, FILE).toString());
      texts.add(String.valueOf(engine.serverCommand(FILE)));
      texts.add(engine.healthcheck(TRICKY, FILE).command());
      texts.add(engine.dumpCommand("h", TRICKY, FILE, "/backup/out"));
      texts.add(engine.restoreCommand("h", TRICKY, FILE, "/backup/in"));
      texts.add(engine.rotateCommand("h", TRICKY, FILE, "/run/secrets/new"));
      assertThat(texts).as(engine.service()).noneMatch(text -> text.contains(TRICKY.password()) || text.contains("p@ss"));
      assertThat(engine.healthcheck(TRICKY, FILE).command()).contains(FILE);
    }
  }

  @Test
  void uses_the_official_images_environment_contract() {
    assertThat(ENGINES.find("postgresql").orElseThrow().serverEnvironment(TRICKY, FILE)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "POSTGRES_USER", "u1", "POSTGRES_PASSWORD_FILE", FILE, "POSTGRES_DB", "d1", "PGDATA", "/var/lib/postgresql/data"));
    assertThat(ENGINES.find("mysql").orElseThrow().serverEnvironment(TRICKY, FILE)).containsEntry("MARIADB_USER", "u1")
        .containsEntry("MARIADB_PASSWORD_FILE", FILE).containsEntry("MARIADB_DATABASE", "d1")
        .containsEntry("MARIADB_ROOT_PASSWORD_FILE", FILE).containsEntry("MARIADB_ROOT_HOST", "localhost");
    AddonEngine redis = ENGINES.find("redis").orElseThrow();
    assertThat(redis.serverEnvironment(TRICKY, FILE)).isEmpty();
    assertThat(String.join(" ", redis.serverCommand(FILE))).contains("redis-server - --appendonly yes --dir /data")
        .contains("requirepass");
  }

  @Test
  void dumps_consistently_and_restores_in_place() {
    AddonEngine postgres = ENGINES.find("postgresql").orElseThrow();
    assertThat(postgres.dumpCommand("h", TRICKY, FILE, "/b/o")).contains("pg_dump", "--format=custom", "--file='/b/o'");
    assertThat(postgres.restoreCommand("h", TRICKY, FILE, "/b/i")).contains("pg_restore", "--clean", "--if-exists",
        "--single-transaction", "'/b/i'");
    AddonEngine mariadb = ENGINES.find("mysql").orElseThrow();
    assertThat(mariadb.dumpCommand("h", TRICKY, FILE, "/b/o")).contains("mariadb-dump", "--single-transaction", "--routines",
        "--triggers", "--add-drop-table", " 'd1'").doesNotContain("--databases");
    // into the add-on's own database, whatever the dump's source was (a restore into a new add-on)
    assertThat(mariadb.restoreCommand("h", TRICKY, FILE, "/b/i")).contains("DEFINER=").endsWith(" 'd1' < '/b/i'");
    AddonEngine redis = ENGINES.find("redis").orElseThrow();
    assertThat(redis.dumpCommand("h", TRICKY, FILE, "/b/o")).contains("redis-cli", "--rdb '/b/o'");
    assertThat(redis.restoreCommand("h", TRICKY, FILE, "/b/i")).contains("REPLICAOF \"$me\"", "REPLICAOF NO ONE");
  }

  @Test
  void quotes_hosts_and_files_for_the_shell() {
    String command = ENGINES.find("postgresql").orElseThrow().dumpCommand("h'; rm -rf /", TRICKY, "/x'y", "/o");
    assertThat(command).contains("'h'\\''; rm -rf /'").contains("cat '/x'\\''y'");
  }

  @Test
  void mounts_the_password_readable_by_the_server_user_with_the_capabilities_the_entrypoint_needs() {
    AddonEngine postgres = ENGINES.find("postgresql").orElseThrow();
    DesiredService desired = new DesiredService("s", Map.of(), "img", null, null, Map.of(),
        List.of(new DesiredService.SecretMount("id", "name", "password", postgres.passwordFileMode())), List.of(), null, 1, 256, 1,
        "any", 10, new DesiredService.TierSpec("addon", new ArrayList<>(postgres.capabilities()), false, 256, List.of()), List.of(), null);
    ServiceSpec spec = new ServiceSpecFactory(ServiceSpecFactory.Rollout.DEFAULT, false).build(desired);
    ContainerSpec container = spec.getTaskTemplate().getContainerSpec();
    assertThat(container.getSecrets().get(0).getFile().getMode()).isEqualTo(0444L);
    assertThat(postgres.capabilities()).containsExactlyInAnyOrder("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID");
  }
}
