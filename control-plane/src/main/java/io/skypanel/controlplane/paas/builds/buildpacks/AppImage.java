package io.skypanel.controlplane.paas.builds.buildpacks;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.BuildResponseItem;
import io.vertx.core.json.JsonArray;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The app's image: the stack's run image plus the compiled {@code /app}, made by the engine's build API from a
 * generated Dockerfile ({@code FROM <run image>}, {@code COPY --chown} the app, {@code ENV} of the buildpack's
 * {@code config_vars}, {@code USER} the unprivileged user, {@code CMD} the web process). Building rather than
 * committing the builder container keeps the compilers, npm and pip of the build image out of the app's image, adds
 * exactly one layer on a run image every app shares, and needs no extra container.
 */
final class AppImage {

  /** Fallback {@code PORT} for the image run by hand; the platform always sets its own. */
  static final String DEFAULT_PORT = "5000";

  private AppImage() {
  }

  /** The generated Dockerfile. */
  static String dockerfile(String runImage, Map<String, String> configVars, String webCommand) {
    StringBuilder file = new StringBuilder()
        .append("FROM ").append(runImage).append('\n')
        .append("COPY --chown=").append(BuilderContainer.BUILD_UID).append(':').append(BuilderContainer.BUILD_UID)
        .append(' ').append(BuilderContainer.APP_DIR).append(" /app\n")
        .append("WORKDIR /app\n")
        .append("ENV HOME=/app PORT=").append(DEFAULT_PORT).append('\n');
    for (Map.Entry<String, String> variable : configVars.entrySet()) {
      file.append("ENV ").append(variable.getKey()).append("=\"").append(escape(variable.getValue())).append("\"\n");
    }
    file.append("USER ").append(BuilderContainer.BUILD_UID).append(':').append(BuilderContainer.BUILD_UID).append('\n');
    if (webCommand != null) {
      // the platform runs process types as /bin/sh -c <command>; the image's own command is the web process's
      file.append("CMD ").append(new JsonArray().add("/bin/sh").add("-c").add(webCommand).encode()).append('\n');
    }
    return file.toString();
  }

  // a value is literal: no variable expansion, no line break
  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("\n", " ");
  }

  /** Writes the build context (the Dockerfile and the exported {@code app/} tree) to {@code target}. Blocking. */
  static void context(InputStream appTar, String dockerfile, Path target) throws IOException {
    try (OutputStream file = Files.newOutputStream(target); TarArchiveOutputStream out = new TarArchiveOutputStream(file);
         TarArchiveInputStream in = new TarArchiveInputStream(appTar)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      byte[] content = dockerfile.getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry entry = new TarArchiveEntry("Dockerfile");
      entry.setSize(content.length);
      out.putArchiveEntry(entry);
      out.write(content);
      out.closeArchiveEntry();
      TarArchiveEntry next;
      while ((next = in.getNextEntry()) != null) {
        out.putArchiveEntry(next);
        if (next.isFile()) {
          in.transferTo(out);
        }
        out.closeArchiveEntry();
      }
      out.finish();
    }
  }

  /** Starts building {@code context} as {@code tag}; the returned progress completes when the engine is done. */
  static Progress build(DockerClient docker, InputStream context, String tag, Map<String, String> labels, Consumer<String> log) {
    return docker.buildImageCmd()
        .withTarInputStream(context)
        .withTags(Set.of(tag))
        .withLabels(labels)
        .withPull(false)
        .withNetworkMode("none")
        .withRemove(true)
        .withForcerm(true)
        .exec(new Progress(log));
  }

  /** The engine's build stream: its lines go to the build log; an error item fails the build. */
  static final class Progress extends ResultCallback.Adapter<BuildResponseItem> {

    private final Consumer<String> log;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile String error;

    Progress(Consumer<String> log) {
      this.log = log;
    }

    @Override
    public void onNext(BuildResponseItem item) {
      if (item.getStream() != null) {
        item.getStream().lines().filter(line -> !line.isBlank()).forEach(line -> log.accept("       " + line));
      }
      if (item.isErrorIndicated()) {
        error = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
            ? item.getErrorDetail().getMessage() : item.getError();
      }
    }

    @Override
    public void onComplete() {
      done.complete(null);
      super.onComplete();
    }

    @Override
    public void onError(Throwable throwable) {
      done.completeExceptionally(throwable);
      super.onError(throwable);
    }

    CompletableFuture<Void> done() {
      return done;
    }

    /** The engine's error, or null when the image was built. */
    String error() {
      return error;
    }
  }
}
