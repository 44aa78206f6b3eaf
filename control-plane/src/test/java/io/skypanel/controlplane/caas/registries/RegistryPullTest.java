package io.skypanel.controlplane.caas.registries;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.model.AuthConfig;
import io.skypanel.controlplane.runtime.orchestration.DesiredService;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real private registry (Debian's {@code docker-registry} with htpasswd auth on 127.0.0.1) holding an image
 * pushed by the Docker CLI: the engine pulls it with the credential {@code loginFor} returns, and refuses
 * with a wrong password. Everything this test creates (registry process, temp dirs, CLI config, images) is
 * removed afterwards.
 */
class RegistryPullTest extends ApiTestBase {

  private static final String REGISTRY_BINARY = "/usr/bin/docker-registry";
  private static final String DOCKER = "/usr/bin/docker";
  private static final String BUSYBOX = "/bin/busybox";
  private static final String USER = "puller";
  private static final String PASSWORD = "pull-" + UUID.randomUUID();

  private static Path workDir;
  private static Path dockerConfig;
  private static Process registry;
  private static String registryHost;
  private static String image;

  @BeforeAll
  static void startRegistryAndPushAnImage() throws Exception {
    workDir = Files.createTempDirectory("skypanel-registry-test");
    dockerConfig = Files.createDirectories(workDir.resolve("docker-config"));
    int port = freePort();
    registryHost = "127.0.0.1:" + port;
    image = registryHost + "/skypanel-test/private-app:1";

    // htpasswd without apache2-utils: "user:$2y$..." from the bcrypt library the control plane already uses
    String hash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(5, PASSWORD.toCharArray());
    Path htpasswd = Files.writeString(workDir.resolve("htpasswd"), USER + ":" + hash + "\n");
    Path storage = Files.createDirectories(workDir.resolve("storage"));
    Path config = Files.writeString(workDir.resolve("config.yml"), """
        version: 0.1
        log:
          level: warn
        storage:
          filesystem:
            rootdirectory: %s
        http:
          addr: %s
        auth:
          htpasswd:
            realm: skypanel-test
            path: %s
        """.formatted(storage, registryHost, htpasswd));
    registry = new ProcessBuilder(REGISTRY_BINARY, "serve", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("registry.log").toFile())
        .start();
    awaitUnauthorized("http://" + registryHost + "/v2/");

    Path rootfs = Files.createDirectories(workDir.resolve("rootfs/bin"));
    Files.copy(Path.of(BUSYBOX), rootfs.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.createSymbolicLink(rootfs.resolve("sh"), Path.of("busybox"));
    Path tar = workDir.resolve("rootfs.tar");
    run(null, "tar", "-C", workDir.resolve("rootfs").toString(), "-cf", tar.toString(), ".");
    run(null, DOCKER, "import", "--change", "CMD [\"/bin/busybox\", \"sleep\", \"3600\"]", tar.toString(), image);
    run(PASSWORD, DOCKER, "--config", dockerConfig.toString(), "login", registryHost, "--username", USER, "--password-stdin");
    run(null, DOCKER, "--config", dockerConfig.toString(), "push", image);
    run(null, DOCKER, "--config", dockerConfig.toString(), "logout", registryHost);
    run(null, DOCKER, "rmi", image);
    assertThat(localImageExists()).as("the local copy is gone before the pull").isFalse();
  }

  @AfterAll
  static void stopRegistry() throws Exception {
    if (image != null) {
      runQuietly(DOCKER, "rmi", "-f", image);
    }
    if (registry != null) {
      registry.destroy();
      if (!registry.waitFor(10, TimeUnit.SECONDS)) {
        registry.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (workDir != null) {
      try (Stream<Path> paths = Files.walk(workDir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  // --- tests -------------------------------------------------------------------------------------

  @Test
  void the_engine_pulls_a_private_image_with_the_credential_login_for_returns() throws Exception {
    ApiClient.Session ada = newUser("Ada");
    addCredential(ada, "local-registry", PASSWORD);

    DesiredService.RegistryLogin login = await(service().loginFor(UUID.fromString(ada.personalOrganizationId()), image));

    assertThat(login).isNotNull();
    assertThat(login.serverAddress()).isEqualTo(registryHost);
    assertThat(login.username()).isEqualTo(USER);
    await(pull(login));
    assertThat(localImageExists()).isTrue();
    runQuietly(DOCKER, "rmi", "-f", image);
  }

  @Test
  void a_wrong_password_fails_the_pull_with_a_clear_error() throws Exception {
    ApiClient.Session eve = newUser("Eve");
    addCredential(eve, "local-registry", "not-the-password");
    DesiredService.RegistryLogin wrong = await(service().loginFor(UUID.fromString(eve.personalOrganizationId()), image));
    assertThat(wrong).isNotNull();
    runQuietly(DOCKER, "rmi", "-f", image);

    Throwable failure = failure(pull(wrong));

    // the registry refused the credentials the engine sent (not "no basic auth credentials": they were sent)
    assertThat(messages(failure)).as("the engine's answer").containsPattern("(?i)unauthorized|authentication required")
        .doesNotContain("no basic auth credentials");
    assertThat(messages(failure)).doesNotContain("not-the-password");
    assertThat(localImageExists()).isFalse();
  }

  @Test
  void without_a_credential_there_is_no_login_and_the_pull_is_refused() throws Exception {
    ApiClient.Session bob = newUser("Bob");

    assertThat(await(service().loginFor(UUID.fromString(bob.personalOrganizationId()), image))).isNull();
    runQuietly(DOCKER, "rmi", "-f", image);
    Throwable failure = failure(pull(null));

    assertThat(messages(failure)).containsPattern("(?i)unauthorized|authentication required|no basic auth credentials");
    assertThat(localImageExists()).isFalse();
  }

  // --- helpers -----------------------------------------------------------------------------------

  private static RegistryCredentialService service() {
    return new RegistryCredentialService(server.platform().pool(), server.platform().secrets(), PlatformRegistry.NONE);
  }

  private static void addCredential(ApiClient.Session session, String name, String password) {
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/api/caas/registries", session.token(), session.personalOrganizationId(),
        new JsonObject().put("name", name).put("registry", registryHost).put("username", USER).put("password", password));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
  }

  /** Pulls the test image through the platform's engine client, on the pool of slow Docker calls. */
  private static Future<Void> pull(DesiredService.RegistryLogin login) {
    return server.platform().docker().callSlow(client -> {
      var command = client.pullImageCmd(image.substring(0, image.lastIndexOf(':'))).withTag("1");
      if (login != null) {
        command.withAuthConfig(new AuthConfig().withRegistryAddress(login.serverAddress()).withUsername(login.username())
            .withPassword(login.password()));
      }
      if (!command.exec(new PullImageResultCallback()).awaitCompletion(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the pull did not finish within 120 s");
      }
      return null;
    });
  }

  private static boolean localImageExists() throws Exception {
    return runQuietly(DOCKER, "image", "inspect", image) == 0;
  }

  private static Throwable failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(150, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    throw new AssertionError("expected the pull to fail");
  }

  private static String messages(Throwable failure) {
    List<String> messages = new ArrayList<>();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.add(t.getClass().getSimpleName() + ": " + t.getMessage());
    }
    return String.join(" <- ", messages);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  private static void awaitUnauthorized(String url) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!registry.isAlive()) {
        throw new IllegalStateException("docker-registry exited: " + Files.readString(workDir.resolve("registry.log")));
      }
      try {
        int status = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(), BodyHandlers.discarding()).statusCode();
        if (status == 401) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("docker-registry did not answer 401 on " + url + " within 30 s: " + Files.readString(workDir.resolve("registry.log")));
  }

  /** Runs a command (feeding {@code stdin} when given) and fails with its output unless it exits 0. */
  private static void run(String stdin, String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (stdin != null) {
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(180, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command[0], command.length > 1 ? command[1] : "") + " failed: " + output);
    }
  }

  private static int runQuietly(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    process.getOutputStream().close();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }
}
