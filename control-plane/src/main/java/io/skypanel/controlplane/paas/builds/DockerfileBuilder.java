package io.skypanel.controlplane.paas.builds;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.ExposedPort;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.Labels;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds a source with a {@code Dockerfile} at its root through the engine's build API (docker-java
 * {@code buildImageCmd}): build args, target stage, the app's previous image as cache source, the plan's memory and
 * CPU share, no pull, the build's network mode (never an organization's network), labels naming the organization,
 * app and build. Output goes to the build log line by line. The build stream runs on docker-java's own thread, so
 * no worker is held for the whole build; a timeout or a cancel closes the stream, which makes the engine stop.
 * Process types come from a {@code Procfile} when there is one, else the image's own command is {@code web}; the
 * first {@code EXPOSE}d port is the web port.
 */
public final class DockerfileBuilder implements Builder {

  public static final String NAME = "dockerfile";
  private static final String DOCKERFILE = "Dockerfile";
  private static final String PROCFILE = "Procfile";

  private final Vertx vertx;
  private final DockerEngine docker;
  private final String network;
  private final Map<UUID, Running> running = new ConcurrentHashMap<>();

  public DockerfileBuilder(Vertx vertx, DockerEngine docker, String network) {
    this.vertx = vertx;
    this.docker = docker;
    this.network = network;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean accepts(BuildJob job) {
    return Files.isRegularFile(job.sourceDir().resolve(DOCKERFILE), java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public Future<BuiltImage> build(BuildJob job, BuildLog log) {
    Context context = vertx.getOrCreateContext();
    Promise<String> built = Promise.promise();
    Running run = new Running(job.buildId(), log, built, context);
    running.put(job.buildId(), run);
    long timer = vertx.setTimer(job.timeout().toMillis(), id -> run.stop("the build took longer than " + job.timeout().toSeconds() + "s"));
    return docker.callSlow(client -> {
          BuildImageCmd cmd = client.buildImageCmd()
              .withBaseDirectory(job.sourceDir().toFile())
              .withDockerfile(job.sourceDir().resolve(DOCKERFILE).toFile())
              .withTags(Set.of(job.imageTag()))
              .withPull(false)
              .withRemove(true)
              .withForcerm(true)
              .withNetworkMode(network)
              .withMemory(job.memoryMb() * 1024L * 1024L)
              .withMemswap(job.memoryMb() * 1024L * 1024L)
              // the build API has no CPU quota; a relative share is what the legacy builder honours
              .withCpushares(Integer.toString((int) Math.max(2, Math.round(job.cpu() * 1024))))
              .withLabels(Map.of(Labels.ORG, job.organizationId().toString(), "skypanel.app", job.appId().toString(),
                  "skypanel.build", job.buildId().toString()));
          job.buildArgs().forEach(cmd::withBuildArg);
          if (job.target() != null) {
            cmd.withTarget(job.target());
          }
          if (job.cacheFrom() != null) {
            // the legacy builder uses it only when the image is on this node (it is where the app last ran)
            cmd.withCacheFrom(Set.of(job.cacheFrom()));
          }
          cmd.exec(run);
          run.closeIfStopped();
          return null;
        })
        .compose(started -> built.future())
        // the Procfile is read on the worker too: no file I/O on the event loop
        .compose(imageId -> docker.call(client -> result(job, client.inspectImageCmd(job.imageTag()).exec())))
        .andThen(done -> {
          vertx.cancelTimer(timer);
          running.remove(job.buildId());
        });
  }

  @Override
  public void cancel(UUID buildId) {
    Running run = running.get(buildId);
    if (run != null) {
      run.stop("the build was cancelled");
    }
  }

  private static BuiltImage result(BuildJob job, InspectImageResponse image) {
    Path procfile = job.sourceDir().resolve(PROCFILE);
    Map<String, String> types;
    try {
      types = Files.isRegularFile(procfile, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          ? Procfile.parse(Files.readString(procfile, StandardCharsets.UTF_8)) : Map.of();
    } catch (IOException e) {
      throw new BuildFailedException("the Procfile cannot be read: " + e.getMessage(), e);
    }
    var config = image.getConfig();
    boolean hasCommand = config != null && ((config.getCmd() != null && config.getCmd().length > 0)
        || (config.getEntrypoint() != null && config.getEntrypoint().length > 0));
    if (types.isEmpty() && !hasCommand) {
      throw new BuildFailedException("the image has no CMD or ENTRYPOINT and the source has no Procfile: nothing to run as web");
    }
    Integer port = null;
    if (config != null && config.getExposedPorts() != null) {
      port = Arrays.stream(config.getExposedPorts()).filter(p -> "tcp".equals(p.getProtocol().toString()))
          .map(ExposedPort::getPort).min(Comparator.naturalOrder()).orElse(null);
    }
    return new BuiltImage(job.imageTag(), types, port, NAME);
  }

  /** One build's stream: lines to the log, the engine's error or image id to the promise (on the build's context). */
  private static final class Running extends ResultCallback.Adapter<BuildResponseItem> {

    private final UUID buildId;
    private final BuildLog log;
    private final Promise<String> done;
    private final Context context;
    private final StringBuilder partial = new StringBuilder();
    private volatile String error;
    private volatile String stopped;
    private volatile String imageId;

    Running(UUID buildId, BuildLog log, Promise<String> done, Context context) {
      this.buildId = buildId;
      this.log = log;
      this.done = done;
      this.context = context;
    }

    /** A cancel that came before the engine call started could not close the stream yet. */
    void closeIfStopped() {
      if (stopped != null) {
        closeStream();
      }
    }

    /** Closing the stream makes the engine cancel the build (it stops when its client goes away). */
    void stop(String reason) {
      stopped = reason;
      closeStream();
      context.runOnContext(v -> done.tryFail(new BuildFailedException(reason)));
    }

    private void closeStream() {
      try {
        close();
      } catch (IOException e) {
        log.line("-----> closing the build stream failed: " + e.getMessage());
      }
    }

    @Override
    public void onNext(BuildResponseItem item) {
      if (item.getStream() != null) {
        synchronized (partial) {
          partial.append(item.getStream());
          int newline;
          while ((newline = partial.indexOf("\n")) >= 0) {
            log.line(partial.substring(0, newline).stripTrailing());
            partial.delete(0, newline + 1);
          }
        }
      }
      if (item.isErrorIndicated()) {
        error = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
            ? item.getErrorDetail().getMessage() : item.getError();
        log.line("ERROR: " + error);
      }
      if (item.isBuildSuccessIndicated()) {
        imageId = item.getImageId();
      }
    }

    @Override
    public void onError(Throwable throwable) {
      String reason = stopped != null ? stopped : "the engine's build stream failed: " + throwable.getMessage();
      context.runOnContext(v -> done.tryFail(new BuildFailedException(reason, throwable)));
    }

    @Override
    public void onComplete() {
      synchronized (partial) {
        if (!partial.isEmpty()) {
          log.line(partial.toString().stripTrailing());
          partial.setLength(0);
        }
      }
      context.runOnContext(v -> {
        if (stopped != null) {
          done.tryFail(new BuildFailedException(stopped));
        } else if (error != null) {
          done.tryFail(new BuildFailedException("the Dockerfile build failed: " + error));
        } else {
          done.tryComplete(imageId);
        }
      });
    }

    @Override
    public String toString() {
      return "DockerfileBuild[" + buildId + "]";
    }
  }
}
