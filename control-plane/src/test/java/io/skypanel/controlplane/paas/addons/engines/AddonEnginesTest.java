package io.skypanel.controlplane.paas.addons.engines;

import com.github.dockerjava.api.model.UpdateOrder;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.DockerOptions;
import io.skypanel.controlplane.runtime.orchestration.DesiredService;
import io.skypanel.controlplane.runtime.orchestration.ServiceSpecFactory;
import io.skypanel.controlplane.runtime.orchestration.ServiceState;
import io.skypanel.controlplane.runtime.orchestration.SwarmOrchestrator;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each {@link AddonEngine} against the real engine with the platform's add-on images: a hardened Swarm service
 * built by the orchestrator from the engine's environment, command, health check, capabilities and secret mode
 * (password as a Swarm secret, data on a named volume, an internal overlay network) becomes healthy; client
 * containers of the same image on that network write, dump, change, restore and read with the engine's own
 * commands; the service is removed and recreated on the same volume and the data and password are still there;
 * rotation changes the password. Every object carries this run's {@code skypanel.test.run} label and is removed
 * after the class; traffic stays inside the test's own network.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class AddonEnginesTest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final Map<String, String> TEST_LABELS = Map.of("skypanel.test", "true", "skypanel.test.run", RUN);
  private static final Duration WAIT = Duration.ofSeconds(150);
  private static final String PASSWORD_FILE = "/run/secrets/password";
  /** Where client containers keep the password (written from the test's environment) and the dump. */
  private static final String CLIENT_PASSWORD = "/tmp/pw";
  private static final String CLIENT_NEW_PASSWORD = "/tmp/pw-new";
  private static final String DUMP = "/backup/dump";

  private static final AddonEngines ENGINES = AddonEngineFactory.create(AddonImages.parse(AddonImages.DEFAULTS));

  private static Vertx vertx;
  private static DockerEngine engine;
  private static SwarmOrchestrator orchestrator;
  private static UUID organization;
  private static String networkId;
  private static String networkName;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    engine = await(DockerEngine.connect(vertx, new DockerOptions(null, 4, 2, 16, 3000, 60000)));
    assertThat(engine.status().swarm()).isEqualTo("active");
    orchestrator = new SwarmOrchestrator(engine,
        new ServiceSpecFactory.Rollout(Duration.ofSeconds(3), Duration.ZERO, UpdateOrder.START_FIRST), TEST_LABELS);
    organization = UUID.randomUUID();
    networkId = await(orchestrator.ensureOrganizationNetworks(organization, false)).internalId();
    networkName = "org-" + organization;
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      String label = "label=skypanel.test.run=" + RUN;
      for (String id : TestImages.docker("service", "ls", "-q", "--filter", label).lines().toList()) {
        TestImages.dockerResult("service", "rm", id);
      }
      poll("task containers gone", () -> TestImages.docker("ps", "-aq", "--filter", label).isBlank());
      for (String id : TestImages.docker("secret", "ls", "-q", "--filter", label).lines().toList()) {
        TestImages.dockerResult("secret", "rm", id);
      }
      for (String name : TestImages.docker("volume", "ls", "-q", "--filter", label).lines().toList()) {
        TestImages.dockerResult("volume", "rm", name);
      }
      if (organization != null) {
        TestImages.removeOrganizationNetworks(organization);
      }
    } finally {
      if (engine != null) {
        engine.close();
      }
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void postgres_keeps_data_and_password_across_dump_restore_and_recreation() throws Exception {
    exercise(ENGINES.find("postgresql").orElseThrow(), "15", new Client() {
      public String write(String host, AddonCredentials c) {
        return psql(host, c, "CREATE TABLE t (k text PRIMARY KEY, v text); INSERT INTO t VALUES ('k', 'original')");
      }

      public String change(String host, AddonCredentials c) {
        return psql(host, c, "UPDATE t SET v = 'changed'");
      }

      public String read(String host, AddonCredentials c) {
        return psql(host, c, "SELECT v FROM t WHERE k = 'k'");
      }

      private String psql(String host, AddonCredentials c, String sql) {
        return "export PGPASSWORD=\"$(cat " + CLIENT_PASSWORD + ")\"; psql -h " + host + " -U " + c.user() + " -d " + c.database()
            + " -v ON_ERROR_STOP=1 -tAc \"" + sql + "\"";
      }
    });
  }

  @Test
  void mariadb_keeps_data_and_password_across_dump_restore_and_recreation() throws Exception {
    exercise(ENGINES.find("mysql").orElseThrow(), "10.11", new Client() {
      public String write(String host, AddonCredentials c) {
        return sql(host, c, "CREATE TABLE t (k VARCHAR(8) PRIMARY KEY, v TEXT); INSERT INTO t VALUES ('k', 'original')");
      }

      public String change(String host, AddonCredentials c) {
        return sql(host, c, "UPDATE t SET v = 'changed'");
      }

      public String read(String host, AddonCredentials c) {
        return sql(host, c, "SELECT v FROM t WHERE k = 'k'");
      }

      private String sql(String host, AddonCredentials c, String sql) {
        return "export MYSQL_PWD=\"$(cat " + CLIENT_PASSWORD + ")\"; mariadb -h " + host + " -u " + c.user() + " -N " + c.database()
            + " -e \"" + sql + "\"";
      }
    });
  }

  @Test
  void redis_keeps_data_and_password_across_dump_restore_and_recreation() throws Exception {
    exercise(ENGINES.find("redis").orElseThrow(), "7", new Client() {
      public String write(String host, AddonCredentials c) {
        return cli(host, "SET k original");
      }

      public String change(String host, AddonCredentials c) {
        return cli(host, "SET k changed") + " && " + cli(host, "SET later 1");
      }

      public String read(String host, AddonCredentials c) {
        // the key written after the dump must be gone after a restore: the dataset is replaced, not merged
        return cli(host, "GET k") + " && " + cli(host, "EXISTS later") + " | sed 's/^0$//;s/^1$/later-exists/'";
      }

      private String cli(String host, String command) {
        return "REDISCLI_AUTH=\"$(cat " + CLIENT_PASSWORD + ")\" redis-cli -h " + host + " " + command;
      }
    });
  }

  /** The statements that write, change and read back one value; their output is compared as text. */
  private interface Client {
    String write(String host, AddonCredentials credentials);

    String change(String host, AddonCredentials credentials);

    String read(String host, AddonCredentials credentials);
  }

  private void exercise(AddonEngine addon, String version, Client client) throws Exception {
    String name = "addonimages-" + RUN + "-" + addon.service();
    AddonCredentials credentials = addon.generateCredentials();
    String image = TestImages.digestOf(addon.image(version));
    String secretId = await(orchestrator.createSecret(name + "-pw", credentials.password().getBytes(StandardCharsets.UTF_8), Map.of()));
    String volume = name + "-data";
    await(orchestrator.createVolume(volume, Map.of()));
    String backup = name + "-backup";
    await(orchestrator.createVolume(backup, Map.of()));
    UUID container = UUID.randomUUID();
    DesiredService desired = desired(addon, name, image, credentials, secretId, volume, container);

    String serviceId = await(orchestrator.createService(desired));
    awaitHealthy(serviceId);
    assertThat(TestImages.docker("service", "inspect", serviceId)).doesNotContain(credentials.password());

    // the tasks' own addresses: the engine's virtual-IP balancing is not used on the platform's networks (the edge
    // and these tests reach tasks by address), and Swarm's DNS resolves tasks.<service> to them
    String host = "tasks." + name;
    Runner run = new Runner(image, backup, credentials.password());
    run.ok(client.write(host, credentials));
    run.ok(addon.dumpCommand(host, credentials, CLIENT_PASSWORD, DUMP));
    run.ok(client.change(host, credentials));
    assertThat(run.ok(client.read(host, credentials)).strip()).startsWith("changed");
    run.ok(addon.restoreCommand(host, credentials, CLIENT_PASSWORD, DUMP));
    assertThat(run.ok(client.read(host, credentials)).strip()).isEqualTo("original");

    // a new task on the same volume, with the same secret: the data and the password are the volume's
    await(orchestrator.removeService(serviceId));
    poll("the removed service's task containers gone", () -> await(orchestrator.remainingTaskContainers(container)) == 0);
    serviceId = await(orchestrator.createService(desired));
    awaitHealthy(serviceId);
    assertThat(run.ok(client.read(host, credentials)).strip()).isEqualTo("original");

    // rotation: the new password works, the old one no longer does
    String newPassword = addon.generateCredentials().password();
    run.ok("printf %s '" + newPassword + "' >" + CLIENT_NEW_PASSWORD + " && "
        + addon.rotateCommand(host, credentials, CLIENT_PASSWORD, CLIENT_NEW_PASSWORD));
    TestImages.Result withOldPassword = run.result(client.read(host, credentials));
    assertThat(withOldPassword.code() != 0 || !withOldPassword.out().strip().equals("original"))
        .as("read with the old password: %s", withOldPassword.out()).isTrue();
    Runner rotated = new Runner(image, backup, newPassword);
    assertThat(rotated.ok(client.read(host, credentials)).strip()).isEqualTo("original");
    await(orchestrator.removeService(serviceId));
  }

  private DesiredService desired(AddonEngine addon, String name, String image, AddonCredentials credentials, String secretId,
                                 String volume, UUID container) {
    Map<String, String> labels = new java.util.HashMap<>(TEST_LABELS);
    labels.put("skypanel.container", container.toString());
    return new DesiredService(name, labels, image, null, addon.serverCommand(PASSWORD_FILE),
        addon.serverEnvironment(credentials, PASSWORD_FILE),
        List.of(new DesiredService.SecretMount(secretId, name + "-pw", "password", addon.passwordFileMode())),
        List.of(new DesiredService.VolumeMount(volume, addon.dataDirectory(), false)),
        addon.healthcheck(credentials, PASSWORD_FILE), 1.0, 512, 1, "any", 10,
        new DesiredService.TierSpec("addon", new ArrayList<>(addon.capabilities()), false, 512, List.of()),
        List.of(networkId), null);
  }

  /** Swarm reports a task with a health check running only once it is healthy. */
  private void awaitHealthy(String serviceId) throws Exception {
    poll("service " + serviceId + " healthy", () -> {
      ServiceState state = await(orchestrator.inspect(serviceId));
      return state != null && state.tasks().stream().anyMatch(t -> "running".equals(t.state()) && t.containerId() != null
          && TestImages.docker("inspect", "--format", "{{.State.Health.Status}}", t.containerId()).strip().equals("healthy"));
    });
  }

  /** Client containers of the add-on's image on the test's network, the password in a file as a task would have it. */
  private final class Runner {
    private final String image;
    private final String backupVolume;
    private final String password;

    Runner(String image, String backupVolume, String password) {
      this.image = image;
      this.backupVolume = backupVolume;
      this.password = password;
    }

    TestImages.Result result(String script) {
      return TestImages.dockerResult("run", "--rm", "--label", "skypanel.test.run=" + RUN, "--network", networkName,
          "-v", backupVolume + ":/backup", "-e", "PW=" + password, "--entrypoint", "sh", image, "-c",
          "printf %s \"$PW\" >" + CLIENT_PASSWORD + " && unset PW && " + script);
    }

    String ok(String script) {
      TestImages.Result result = result(script);
      assertThat(result.code()).as("%s\n%s", script, result.out()).isZero();
      return result.out();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @FunctionalInterface
  private interface Check {
    boolean ok() throws Exception;
  }

  private static void poll(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(500);
    }
  }
}
