package io.skypanel.controlplane.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Local container images for tests that run real Swarm services. No registry is reachable from the test
 * machine, so everything is built here with the Docker CLI ({@code /usr/bin/docker}, the engine's own client)
 * from Debian's static busybox ({@code /bin/busybox}, package busybox-static):
 *
 * <ul>
 *   <li>{@link #busybox()}: {@code skypanel-test/busybox:1}, imported from a tiny rootfs (busybox and its
 *       applet links in /bin, /tmp, /etc/passwd with root and nobody, /var/www);</li>
 *   <li>{@link #web(String, String)}: {@code skypanel-test/web:<tag>} built FROM it, serving a fixed body on
 *       port 8080 with busybox {@code httpd};</li>
 *   <li>{@link #broken(String)}: {@code skypanel-test/broken:<tag>}, whose process listens nowhere, so an http
 *       health check against it always fails.</li>
 * </ul>
 *
 * <p>Digests: images that never went through a registry have no RepoDigest, so a task's container cannot be
 * matched by {@code name@sha256:...}. The orchestrator therefore reports, for such tasks, the content id of the
 * image the container runs ({@code sha256:...} from the container's {@code Image}), and tests compare it with
 * {@link #digestOf(String)}, which is the same content id ({@code docker image inspect --format '{{.Id}}'}).
 *
 * <p>Building is idempotent and happens at most once per image per JVM; test code may block, so the CLI runs in
 * the calling thread.
 */
public final class TestImages {

  public static final String DOCKER = "/usr/bin/docker";
  public static final String BUSYBOX = "skypanel-test/busybox:1";
  /** Bump when the rootfs recipe changes, so a stale image from an older recipe is rebuilt. */
  private static final String RECIPE = "1";
  private static final String BUSYBOX_BINARY = "/bin/busybox";

  private static final Map<String, String> BUILT = new ConcurrentHashMap<>();
  private static volatile boolean busyboxReady;

  private TestImages() {
  }

  /** The busybox base image, imported on first use (and reused across JVMs while its recipe is unchanged). */
  public static synchronized String busybox() {
    if (busyboxReady) {
      return BUSYBOX;
    }
    Result existing = run(null, DOCKER, "image", "inspect", "--format", "{{index .Config.Labels \"skypanel.test.recipe\"}}", BUSYBOX);
    if (existing.code() != 0 || !RECIPE.equals(existing.out().trim())) {
      importBusybox();
    }
    busyboxReady = true;
    return BUSYBOX;
  }

  /** An image whose CMD is {@code httpd -f -p 8080 -h /var/www} with {@code index.html} = {@code body}. */
  public static String web(String tag, String body) {
    String dockerfile = "FROM " + busybox() + "\n"
        + "COPY index.html /var/www/index.html\n"
        + "EXPOSE 8080\n"
        + "CMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/var/www\"]\n";
    return build("skypanel-test/web:" + tag, dockerfile, Map.of("index.html", body));
  }

  /**
   * A web image whose {@code /cgi-bin/env} (a busybox httpd CGI script) prints {@code NAME=<value>} for each of
   * {@code names} from its environment, and whose {@code /} serves {@code body}. Its default command listens on 8080;
   * as a PaaS web process it is usually run as {@code httpd -f -p $PORT -h /var/www}.
   */
  public static String envPrinter(String tag, String body, String... names) {
    // busybox httpd passes a CGI's header through as written: end it with CRLF as HTTP wants
    StringBuilder script = new StringBuilder("#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n");
    for (String name : names) {
      script.append("echo \"").append(name).append("=$").append(name).append("\"\n");
    }
    String dockerfile = "FROM " + busybox() + "\n"
        + "COPY index.html /var/www/index.html\n"
        + "COPY env.cgi /var/www/cgi-bin/env\n"
        + "RUN chmod 755 /var/www/cgi-bin/env\n"
        + "EXPOSE 8080\n"
        + "CMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/var/www\"]\n";
    return build("skypanel-test/env:" + tag, dockerfile, Map.of("index.html", body, "env.cgi", script.toString()));
  }

  /** An image whose process only sleeps: it listens nowhere, so an http health check on any port fails. */
  public static String broken(String tag) {
    String dockerfile = "FROM " + busybox() + "\n"
        + "CMD [\"sleep\", \"3600\"]\n";
    return build("skypanel-test/broken:" + tag, dockerfile, Map.of());
  }

  /** The image's content id, {@code sha256:<hex>} (local images have no RepoDigest; see the class comment). */
  public static String digestOf(String image) {
    return runOk(null, DOCKER, "image", "inspect", "--format", "{{.Id}}", image).trim();
  }

  /** Runs the Docker CLI and returns its standard output; fails when it exits non-zero. */
  public static String docker(String... args) {
    List<String> command = new ArrayList<>();
    command.add(DOCKER);
    command.addAll(List.of(args));
    return runOk(null, command.toArray(String[]::new));
  }

  /** Runs the Docker CLI and returns exit code and output, whatever the exit code. */
  public static Result dockerResult(String... args) {
    List<String> command = new ArrayList<>();
    command.add(DOCKER);
    command.addAll(List.of(args));
    return run(null, command.toArray(String[]::new));
  }

  /**
   * Removes a network after disconnecting whatever is still attached (edge gateways join every organization
   * network and stay until told to leave); a network that is already gone is fine. True when it is gone.
   */
  public static boolean removeNetwork(String nameOrId) throws InterruptedException {
    for (int attempt = 0; attempt < 40; attempt++) {
      Result inspect = dockerResult("network", "inspect", "--format", "{{range $id, $c := .Containers}}{{$id}} {{end}}", nameOrId);
      if (inspect.code() != 0) {
        return true;
      }
      for (String container : inspect.out().trim().split("\\s+")) {
        if (!container.isBlank() && !container.startsWith("lb-")) {
          dockerResult("network", "disconnect", "-f", nameOrId, container);
        }
      }
      if (dockerResult("network", "rm", nameOrId).code() == 0) {
        return true;
      }
      // a task container can hold the network for a moment after its service is gone
      Thread.sleep(250);
    }
    return false;
  }

  /** Removes every container of the named edge gateway (label {@code skypanel.gateway}). */
  public static void removeGateway(String name) {
    for (String id : docker("ps", "-aq", "--filter", "label=skypanel.gateway=" + name).trim().split("\\s+")) {
      if (!id.isBlank()) {
        dockerResult("rm", "-f", id);
      }
    }
  }

  /** Removes both networks of an organization ({@code org-<id>} and {@code org-<id>-egress}). */
  public static void removeOrganizationNetworks(java.util.UUID organizationId) throws InterruptedException {
    removeNetwork("org-" + organizationId);
    removeNetwork("org-" + organizationId + "-egress");
  }

  private static synchronized String build(String reference, String dockerfile, Map<String, String> files) {
    String recipe = dockerfile + files;
    String previous = BUILT.get(reference);
    if (previous != null) {
      if (!previous.equals(recipe)) {
        throw new IllegalArgumentException(reference + " was already built with different content in this JVM");
      }
      return reference;
    }
    Path dir = tempDir("skypanel-image-");
    try {
      Files.writeString(dir.resolve("Dockerfile"), dockerfile);
      for (Map.Entry<String, String> file : files.entrySet()) {
        Files.writeString(dir.resolve(file.getKey()), file.getValue());
      }
      runOk(null, DOCKER, "build", "-q", "--label", "skypanel.test=true", "-t", reference, dir.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteTree(dir);
    }
    BUILT.put(reference, recipe);
    return reference;
  }

  private static void importBusybox() {
    if (!Files.isExecutable(Path.of(BUSYBOX_BINARY))) {
      throw new IllegalStateException(BUSYBOX_BINARY + " is missing: install Debian's busybox-static");
    }
    Path root = tempDir("skypanel-rootfs-");
    Path tarball = root.resolveSibling(root.getFileName() + ".tar");
    try {
      Path bin = Files.createDirectories(root.resolve("bin"));
      Files.copy(Path.of(BUSYBOX_BINARY), bin.resolve("busybox"));
      for (String applet : runOk(null, BUSYBOX_BINARY, "--list").split("\\s+")) {
        if (!applet.isBlank() && !applet.equals("busybox")) {
          Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
      }
      Files.createDirectories(root.resolve("tmp"));
      Files.createDirectories(root.resolve("etc"));
      Files.createDirectories(root.resolve("var/www"));
      Files.createDirectories(root.resolve("run"));
      Files.createDirectories(root.resolve("data"));
      Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
      Files.writeString(root.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
      Files.writeString(root.resolve("var/www/index.html"), "busybox\n");
      runOk(null, "chmod", "1777", root.resolve("tmp").toString());
      runOk(null, "tar", "--numeric-owner", "--owner=0", "--group=0", "--mode=u+rwX,go+rX", "-C", root.toString(),
          "-cf", tarball.toString(), ".");
      runOk(null, DOCKER, "import",
          "-c", "CMD [\"sh\"]",
          "-c", "ENV PATH=/bin",
          "-c", "LABEL skypanel.test=true skypanel.test.recipe=" + RECIPE,
          tarball.toString(), BUSYBOX);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteTree(root);
      try {
        Files.deleteIfExists(tarball);
      } catch (IOException ignored) {
        // a leftover temp file is harmless
      }
    }
  }

  /** What a command printed (stdout and stderr merged) and how it exited. */
  public record Result(int code, String out) {
  }

  private static String runOk(Path dir, String... command) {
    Result result = run(dir, command);
    if (result.code() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + result.code() + ": " + result.out());
    }
    return result.out();
  }

  private static Result run(Path dir, String... command) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (dir != null) {
      builder.directory(dir.toFile());
    }
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      String out;
      try (InputStream in = process.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish");
      }
      return new Result(process.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException ignored) {
          // best effort
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
