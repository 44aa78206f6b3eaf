package io.skypanel.controlplane.paas.builds;

import com.github.dockerjava.api.exception.NotFoundException;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.paas.environments.ConfigVars;
import io.skypanel.controlplane.paas.environments.EnvironmentRepository;
import io.skypanel.controlplane.paas.releases.ReleaseService;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Runs one build from its slot to its end: unpack the source safely (on the build worker pool), pick the first
 * builder that accepts it, build, push to the platform registry, and deploy the pushed digest through
 * {@link ReleaseService#deploy} (so the release phase, the formation and rollback apply as for any deploy), unless the
 * environment's auto-deploy is off (then the build succeeds with its image recorded and no release). Then the
 * app's images beyond the newest N are pruned and the local build tag removed. Every end is recorded once (the
 * conditional update in {@link BuildRepository#finish}); sources are deleted whatever happens.
 */
public final class BuildRunner {

  private static final Logger LOG = LoggerFactory.getLogger(BuildRunner.class);

  private final Pool pool;
  private final WorkerExecutor workers;
  private final List<Builder> builders;
  private final PlatformRegistryClient registry;
  private final ReleaseService releases;
  private final SourceArchive archive;
  private final Duration timeout;
  private final ConfigVars configVars;
  private final BuildRepository builds = new BuildRepository();
  private final EnvironmentRepository environments = new EnvironmentRepository();

  public BuildRunner(Pool pool, WorkerExecutor workers, List<Builder> builders, PlatformRegistryClient registry, ReleaseService releases,
              SourceArchive archive, Duration timeout, ConfigVars configVars) {
    this.pool = pool;
    this.workers = workers;
    this.builders = builders;
    this.registry = registry;
    this.releases = releases;
    this.archive = archive;
    this.timeout = timeout;
    this.configVars = configVars;
  }

  /**
   * Runs a build the queue claimed for {@code owner}; the future completes with its final API view once it is
   * recorded (never fails). The end is recorded only while {@code owner} still holds the lease.
   */
  Future<JsonObject> run(ActiveBuild build, String owner) {
    return pipeline(build)
        .compose(outcome -> finish(build, owner, "succeeded", outcome.reason(), outcome.releaseId()))
        .recover(err -> finish(build, owner, build.cancelled ? "cancelled" : "failed", reason(build, err), null))
        .transform(done -> {
          if (done.failed()) {
            LOG.error("recording the end of build {} failed", build.id, done.cause());
          }
          build.log.end();
          return cleanUp(build).transform(v -> builds.byId(pool, build.organizationId(), build.id))
              .map(row -> row == null ? new JsonObject().put("id", build.id.toString()).put("status", "failed") : row.toJson());
        });
  }

  /** How a successful build ended: its release, or none and why. */
  private record Outcome(UUID releaseId, String reason) {
  }

  private Future<Outcome> pipeline(ActiveBuild build) {
    String repository = registry.registry().repository(build.organizationId(), build.target.appSlug());
    String tag = repository + ":" + build.id;
    Path sourceDir = build.workDir.resolve("source");
    build.log.line("-----> Unpacking the source");
    return workers.<Builder>executeBlocking(() -> {
          archive.unpack(build.source.tarball(), sourceDir);
          BuildJob probe = job(build, sourceDir, tag);
          return builders.stream().filter(builder -> builder.accepts(probe)).findFirst()
              .orElseThrow(() -> new BuildFailedException("no Dockerfile and no buildpack detected"));
        }, false)
        .compose(builder -> {
          checkNotCancelled(build);
          build.builder = builder;
          build.log.line("-----> Building with the " + builder.name() + " builder");
          return configVars(build, builder).compose(vars -> builder.build(job(build, sourceDir, tag).withConfigVars(vars), build.log));
        })
        .compose(image -> {
          checkNotCancelled(build);
          return registry.push(repository, build.id.toString(), build.log).compose(digest -> {
            JsonObject types = processTypes(image.processTypes());
            return builds.built(pool, build.id, image.builder(), repository + "@" + digest, digest, types)
                .compose(v -> deployIfAuto(build, repository + "@" + digest, types, image.port()));
          });
        })
        .andThen(done -> untag(build, tag));
  }

  /** The local build tag goes once a builder ran (an engine build that failed early made none); the registry keeps the image. */
  private void untag(ActiveBuild build, String tag) {
    if (build.builder == null) {
      return;
    }
    registry.untag(tag).onFailure(err -> {
      if (!(err instanceof NotFoundException)) {
        LOG.info("build {}: the local tag {} was not removed: {}", build.id, tag, err.getMessage());
      }
    });
  }

  /** Read when the image is ready (not when queued): turning auto-deploy off stops a build already running from deploying. */
  private Future<Outcome> deployIfAuto(ActiveBuild build, String imageRef, JsonObject types, Integer port) {
    return environments.byId(pool, build.organizationId(), build.target.environmentId(), false).compose(env -> {
      if (env == null || env.autoDeploy()) {
        // a vanished environment: the deploy answers why (404) and the build fails with it
        return deploy(build, imageRef, types, port).map(releaseId -> new Outcome(releaseId, null));
      }
      String reason = "not deployed: auto-deploy is off for the " + env.name() + " environment; promote or deploy " + imageRef;
      build.log.line("-----> Not deployed: auto-deploy is off for the " + env.name() + " environment");
      prune(build);
      return Future.succeededFuture(new Outcome(null, reason));
    });
  }

  private Future<UUID> deploy(ActiveBuild build, String imageRef, JsonObject types, Integer port) {
    checkNotCancelled(build);
    JsonObject body = new JsonObject().put("image_ref", imageRef).put("process_types", types);
    if (port != null) {
      body.put("port", port);
    }
    build.log.line("-----> Releasing " + imageRef);
    return releases.deploy(build.principal, build.org, build.target.environmentId(), body, null).map(release -> {
      build.log.line("-----> Released v" + release.getInteger("version") + " (" + release.getString("status") + ")");
      prune(build);
      return UUID.fromString(release.getString("id"));
    });
  }

  /** The app's images beyond the newest N, except those live somewhere: deleted from the registry, one by one. */
  private void prune(ActiveBuild build) {
    builds.prunable(pool, build.appId, registry.registry().keep()).onComplete(found -> {
      if (found.failed()) {
        LOG.warn("build {}: finding images to prune failed", build.id, found.cause());
        return;
      }
      LOG.info("build {}: {} old images of the app to delete (keeping {})", build.id, found.result().size(), registry.registry().keep());
      Future<Void> chain = Future.succeededFuture();
      for (BuildRepository.Prunable image : found.result()) {
        String repository = image.imageRef().substring(0, image.imageRef().indexOf('@'));
        chain = chain.compose(v -> registry.deleteManifest(repository, image.digest())
            .compose(deleted -> builds.imageDeleted(pool, image.buildId())));
      }
      chain.onFailure(err -> LOG.warn("build {}: pruning the app's old images failed: {}", build.id, err.getMessage()));
    });
  }

  private Future<Void> finish(ActiveBuild build, String owner, String status, String reason, UUID releaseId) {
    if (reason != null) {
      build.log.line("-----> Build " + status + ": " + reason);
    } else {
      build.log.line("-----> Build " + status);
    }
    return builds.finishOwned(pool, build.id, owner, status, reason, releaseId, build.log.text()).mapEmpty();
  }

  private BuildJob job(ActiveBuild build, Path sourceDir, String tag) {
    return new BuildJob(build.id, build.organizationId(), build.appId, sourceDir, tag, build.target.liveImage(),
        build.source.options().args(), build.source.options().target(), List.of(), build.target.cpu(), build.target.memoryMb(), timeout);
  }

  /**
   * The deploy environment's current config vars, opened for a builder that reads them (buildpacks' ENV_DIR) and
   * only then; the map lives in the build's job, never in a log line.
   */
  private Future<Map<String, String>> configVars(ActiveBuild build, Builder builder) {
    if (!builder.readsConfigVars()) {
      return Future.succeededFuture(Map.of());
    }
    return environments.byId(pool, build.organizationId(), build.target.environmentId(), false).map(env -> {
      if (env == null) {
        throw new BuildFailedException("the app's environment was deleted during the build");
      }
      Map<String, String> vars = configVars.open(env.envVarsSealed());
      if (!vars.isEmpty()) {
        build.log.line("-----> Config vars in ENV_DIR: " + String.join(", ", vars.keySet()));
      }
      return vars;
    });
  }

  /**
   * Removes what builds of a deleted app left: its builds' directories under the work directory (a crash can leave
   * them), its source directories (the git repository) and what each builder keeps per app on the engine (the
   * buildpack cache volume).
   */
  Future<Void> appDeleted(UUID appId, List<Path> buildDirs, List<Path> sourceDirs) {
    Future<Void> files = workers.executeBlocking(() -> {
      for (Path dir : buildDirs) {
        delete(dir);
      }
      for (Path dir : sourceDirs) {
        delete(dir);
      }
      return null;
    }, false);
    List<Future<Void>> engine = builders.stream().map(builder -> builder.appDeleted(appId)).toList();
    return Future.join(files, Future.join(engine)).mapEmpty();
  }

  /** Procfile types as the release wants them; none means the image's own command is web. */
  private static JsonObject processTypes(Map<String, String> types) {
    if (types.isEmpty()) {
      return new JsonObject().putNull("web");
    }
    JsonObject json = new JsonObject();
    types.forEach(json::put);
    return json;
  }

  private static void checkNotCancelled(ActiveBuild build) {
    if (build.cancelled) {
      throw new BuildFailedException("the build was cancelled");
    }
  }

  private static String reason(ActiveBuild build, Throwable err) {
    if (build.cancelled) {
      return "the build was cancelled";
    }
    if (err instanceof BuildFailedException || err instanceof ApiException) {
      return err.getMessage();
    }
    LOG.error("build {} failed unexpectedly", build.id, err);
    return "the build failed on the platform's side (" + err.getClass().getSimpleName() + "); it was logged";
  }

  private Future<Void> cleanUp(ActiveBuild build) {
    return workers.executeBlocking(() -> {
      delete(build.workDir);
      Files.deleteIfExists(build.source.tarball());
      return null;
    }, false).recover(err -> {
      LOG.warn("build {}: removing its source from {} failed: {}", build.id, build.workDir, err.getMessage());
      return Future.succeededFuture();
    }).mapEmpty();
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
