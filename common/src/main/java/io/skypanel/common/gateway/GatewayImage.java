package io.skypanel.common.gateway;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import io.skypanel.common.docker.DockerEngine;
import io.vertx.core.Future;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The image of the edge gateway container: the relay jar embedded in this module
 * ({@value #JAR_RESOURCE}, built by the {@code edge-gateway} module) on top of the platform's Java base image.
 *
 * <p>{@link #ensure()} builds it on the engine unless it is there already. Its tag is
 * {@code skypanel/edge-gateway:<12 hex>} of the SHA-256 of the jar, the base image's id and the Dockerfile (which also copies Netty's epoll library out
 * of the jar, so a read-only container still uses epoll), so a new
 * relay, a rebuilt base image or a changed entry point each make a new tag, and an unchanged one is never
 * built twice. The base image ({@value #DEFAULT_BASE_IMAGE} unless configured) is made locally by
 * {@code scripts/build-images.sh}; without it the gateway cannot be built and {@link #ensure()} fails with a
 * {@link GatewayImageException} saying so. Every docker-java call runs on the Docker worker pool.
 */
public final class GatewayImage {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GatewayImage.class);

  public static final String REPOSITORY = "skypanel/edge-gateway";
  public static final String DEFAULT_BASE_IMAGE = "skypanel/jre:17";
  public static final String JAR_RESOURCE = "/io/skypanel/common/gateway/skypanel-edge-gateway.jar";
  /** The relay's port inside the container (publish it on 127.0.0.1 only). */
  public static final int RELAY_PORT = 1080;
  static final String JAR_PATH = "/opt/skypanel/edge-gateway.jar";
  static final String LIBRARY_DIR = "/opt/skypanel/lib";
  private static final String EPOLL_LIBRARY = "libnetty_transport_native_epoll_x86_64.so";
  private static final long BUILD_TIMEOUT_SECONDS = 300;

  private final DockerEngine engine;
  private final String baseImage;

  public GatewayImage(DockerEngine engine, String baseImage) {
    this.engine = engine;
    this.baseImage = baseImage;
  }

  public GatewayImage(DockerEngine engine) {
    this(engine, DEFAULT_BASE_IMAGE);
  }

  /** What {@link #ensure()} found or made: the tag to run, and whether this call had to build it. */
  public record Ensured(String tag, boolean built) {
  }

  /** Makes sure the gateway image exists on the engine; completes with its tag. */
  public Future<Ensured> ensure() {
    // an image build takes seconds to minutes: on the slow pool
    return engine.callSlow(docker -> {
      byte[] jar = readJar();
      String baseId = baseImageId(docker);
      byte[] epoll = nativeLibrary(jar);
      String dockerfile = dockerfile(baseId, epoll != null);
      String tag = REPOSITORY + ":" + tagOf(jar, baseId, dockerfile);
      if (exists(docker, tag)) {
        return new Ensured(tag, false);
      }
      TarContext context = new TarContext()
          .add("Dockerfile", dockerfile.getBytes(StandardCharsets.UTF_8))
          .add("edge-gateway.jar", jar);
      if (epoll != null) {
        context.add(EPOLL_LIBRARY, epoll);
      }
      try (InputStream tar = new ByteArrayInputStream(context.toBytes())) {
        docker.buildImageCmd(tar)
            .withTags(Set.of(tag))
            .withPull(false)  // the base image is local: there is no registry to pull it from
            .withRemove(true)
            .withLabels(Map.of("io.skypanel.component", "edge-gateway", "io.skypanel.gateway.base", baseImage))
            .exec(new BuildImageResultCallback())
            .awaitImageId(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (RuntimeException e) {
        throw new GatewayImageException("building " + tag + " from " + baseImage + " failed: " + e.getMessage(), e);
      }
      return new Ensured(tag, true);
    });
  }

  /**
   * FROM the base image's id rather than its name: the tag hashes that id, so the build must use exactly that
   * image even if the name moves meanwhile.
   */
  static String dockerfile(String baseImageId, boolean epoll) {
    return "FROM " + baseImageId + "\n"
        + "COPY edge-gateway.jar " + JAR_PATH + "\n"
        + (epoll ? "COPY " + EPOLL_LIBRARY + " " + LIBRARY_DIR + "/" + EPOLL_LIBRARY + "\n" : "")
        + "USER 10001:10001\n"
        + "EXPOSE " + RELAY_PORT + "\n"
        // listen on the interface the container starts with (its bridge network), never on overlay networks
        // connected later; small heap and serial GC: the relay keeps little state per connection
        // no hsperfdata file: the container may run with a read-only root filesystem
        // Netty's epoll library is loaded from the image (java.library.path is tried first); unpacking it from the
        // jar at run time needs a writable, executable /tmp, which a read-only container does not have
        + "ENTRYPOINT [\"java\", \"-Xmx48m\", \"-XX:+UseSerialGC\", \"-XX:+ExitOnOutOfMemoryError\", \"-XX:-UsePerfData\", "
        + "\"-Djava.library.path=" + LIBRARY_DIR + "\", \"-jar\", \""
        + JAR_PATH + "\", \"--listen-interface\", \"eth0\", \"--port\", \"" + RELAY_PORT + "\"]\n";
  }

  /** Netty's native epoll transport for x86_64 from inside the jar; null when the jar has none. */
  static byte[] nativeLibrary(byte[] jar) throws IOException {
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(jar))) {
      for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
        if (entry.getName().equals("META-INF/native/" + EPOLL_LIBRARY)) {
          return zip.readAllBytes();
        }
      }
    }
    return null;
  }

  static String tagOf(byte[] jar, String baseImageId, String dockerfile) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(jar);
      sha.update(baseImageId.getBytes(StandardCharsets.UTF_8));
      sha.update(dockerfile.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String baseImageId(DockerClient docker) {
    try {
      return docker.inspectImageCmd(baseImage).exec().getId();
    } catch (NotFoundException e) {
      throw new GatewayImageException("the edge gateway's base image " + baseImage + " is missing on the Docker engine;"
          + " run scripts/build-images.sh on this host to build it", e);
    }
  }

  private static boolean exists(DockerClient docker, String tag) {
    try {
      docker.inspectImageCmd(tag).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  private static byte[] readJar() throws IOException {
    try (InputStream in = GatewayImage.class.getResourceAsStream(JAR_RESOURCE)) {
      if (in == null) {
        throw new GatewayImageException(JAR_RESOURCE + " is not on the classpath: build the edge-router module with"
            + " Maven (it embeds the edge-gateway module's jar at generate-resources)");
      }
      return in.readAllBytes();
    }
  }

  /**
   * Removes the gateway images of earlier releases that no container uses any more (each release of the platform
   * builds a new one); an image still used by a gateway of another name is left to it.
   */
  static int pruneOthers(DockerClient docker, String keep) {
    int removed = 0;
    // the engine (API 1.41) ignores the old image-name filter and lists every image: the tags decide, never the filter
    for (var image : docker.listImagesCmd().withReferenceFilter(REPOSITORY).exec()) {
      java.util.List<String> tags = image.getRepoTags() == null ? java.util.List.of() : java.util.Arrays.asList(image.getRepoTags());
      boolean gatewayOnly = !tags.isEmpty() && tags.stream().allMatch(tag -> tag.startsWith(REPOSITORY + ":"));
      if (!gatewayOnly || tags.contains(keep) || image.getId().equals(keep)) {
        continue;
      }
      try {
        docker.removeImageCmd(image.getId()).withForce(false).exec();
        removed++;
      } catch (com.github.dockerjava.api.exception.ConflictException | com.github.dockerjava.api.exception.NotFoundException inUseOrGone) {
        // a container of another gateway still runs it, or it went meanwhile
      }
    }
    if (removed > 0) {
      LOG.info("removed {} unused edge gateway image(s)", removed);
    }
    return removed;
  }
}
