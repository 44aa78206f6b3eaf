package io.skypanel.controlplane.paas.builds.buildpacks;

import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.Labels;
import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.controlplane.paas.builds.BuildFailedException;
import io.skypanel.controlplane.paas.builds.BuildJob;
import io.skypanel.controlplane.paas.builds.BuildLog;
import io.skypanel.controlplane.paas.builds.BuiltImage;
import io.skypanel.controlplane.paas.builds.Procfile;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One buildpack build, step by step, each engine call on the engine's slow pool: start the builder container with
 * the source and the candidate buildpacks, {@code bin/detect} (the first match, or every pin), {@code bin/compile}
 * with the app's cache volume, {@code bin/release}, then the app image on the stack's run image. Streaming steps
 * (compile, the image build) do not hold a worker while they run: docker-java streams them on its own thread and
 * the step's future completes from there. The whole build shares one deadline ({@link BuildJob#timeout()}); the
 * builder container is removed however the build ends.
 */
public final class BuildpackRun {

  private static final Logger LOG = LoggerFactory.getLogger(BuildpackRun.class);
  private static final String BUILD_HOME = "/home/skypanel";

  private final Vertx vertx;
  private final DockerEngine engine;
  private final BuildpackFiles files;
  private final ControlPlaneOptions.Buildpacks options;

  public BuildpackRun(Vertx vertx, DockerEngine engine, BuildpackFiles files, ControlPlaneOptions.Buildpacks options) {
    this.vertx = vertx;
    this.engine = engine;
    this.files = files;
    this.options = options;
  }

  /** Builds {@code job} by {@code plan}; fails with {@link BuildFailedException} saying why. */
  public Future<BuiltImage> run(BuildJob job, BuildpackPlan plan, BuildLog log) {
    Context context = vertx.getOrCreateContext();
    long deadline = System.nanoTime() + job.timeout().toNanos();
    List<String> env = List.of("STACK=" + plan.stack().slug(), "HOME=" + BUILD_HOME, "PATH=" + BuilderContainer.PATH, "LANG=C.UTF-8");
    log.line("-----> Building on the " + plan.stack().slug() + " stack");
    String[] container = new String[1];
    return engine.callSlow(docker -> {
          Path archive = Files.createTempFile("skypanel-build-", ".tar");
          try {
            Map<String, List<BuildpackFiles.File>> buildpacks = new LinkedHashMap<>();
            plan.candidates().forEach(slug -> buildpacks.put(slug, files.load(slug)));
            BuilderArchive.write(archive, job.sourceDir(), buildpacks, BuilderContainer.BUILD_UID);
            Map<String, String> labels = Map.of(Labels.ORG, job.organizationId().toString(), BuilderContainer.LABEL_APP,
                job.appId().toString(), BuilderContainer.LABEL_BUILD, job.buildId().toString());
            container[0] = BuilderContainer.start(docker, new BuilderContainer.Spec(plan.stack().buildImage(), "skypanel-build-" + job.buildId(),
                labels, BuilderContainer.cacheVolume(job.appId()), job.cpu(), job.memoryMb(), options.pidsLimit(), options.network(), env), archive,
                BuilderArchive.configVars(job.configVars(), BuilderContainer.BUILD_UID));
            return container[0];
          } finally {
            Files.deleteIfExists(archive);
          }
        })
        .compose(id -> select(context, id, env, plan, log, deadline)
            .compose(selected -> compileAll(context, id, env, selected, log, deadline).map(selected))
            .compose(selected -> releaseAll(context, id, env, selected, log, deadline)
                .compose(release -> image(context, id, job, plan, selected, release, log, deadline))))
        .eventually(() -> container[0] == null ? Future.succeededFuture() : engine.callSlow(docker -> {
          BuilderContainer.remove(docker, container[0]);
          return null;
        }).onFailure(err -> LOG.warn("build {}: the builder container {} was not removed: {}", job.buildId(), container[0], err.toString())));
  }

  /** Removes the app's build cache volume; one already gone is fine. */
  public Future<Void> removeCache(java.util.UUID appId) {
    return engine.callSlow(docker -> {
      BuilderContainer.removeCacheVolume(docker, appId);
      return null;
    });
  }

  private Future<List<String>> select(Context context, String id, List<String> env, BuildpackPlan plan, BuildLog log, long deadline) {
    Future<List<String>> chain = Future.succeededFuture(new ArrayList<>());
    for (String slug : plan.candidates()) {
      chain = chain.compose(selected -> {
        if (!plan.pinned() && !selected.isEmpty()) {
          return Future.succeededFuture(selected);
        }
        return step(context, id, env, slug, "detect", log::line, true, deadline).map(result -> {
          if (result.code() == 0) {
            String name = result.output().stdout().stream().filter(line -> !line.isBlank()).findFirst().orElse(slug);
            log.line("-----> " + name + " app detected (buildpack " + slug + ")");
            selected.add(slug);
          } else if (plan.pinned()) {
            throw new BuildFailedException("the app is not compatible with its pinned buildpack " + slug + " (bin/detect exited " + result.code() + ")");
          }
          return selected;
        });
      });
    }
    return chain.map(selected -> {
      if (selected.isEmpty()) {
        throw new BuildFailedException("no buildpack of the " + plan.stack().slug() + " stack detected this app (tried "
            + String.join(", ", plan.candidates()) + "); pin one, or add what one of them looks for (package.json, requirements.txt, index.html, Procfile)");
      }
      return selected;
    });
  }

  private Future<Void> compileAll(Context context, String id, List<String> env, List<String> selected, BuildLog log, long deadline) {
    Future<Void> chain = Future.succeededFuture();
    for (String slug : selected) {
      chain = chain.compose(v -> step(context, id, env, slug, "compile", log::line, false, deadline).map(result -> {
        if (result.code() != 0) {
          throw new BuildFailedException("buildpack " + slug + ": bin/compile failed with exit code " + result.code() + ":\n"
              + String.join("\n", result.output().tail()));
        }
        return null;
      }));
    }
    return chain;
  }

  private Future<BuildpackRelease> releaseAll(Context context, String id, List<String> env, List<String> selected, BuildLog log, long deadline) {
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> vars = new LinkedHashMap<>();
    Future<Void> chain = Future.succeededFuture();
    for (String slug : selected) {
      chain = chain.compose(v -> step(context, id, env, slug, "release", log::line, true, deadline).map(result -> {
        if (result.code() != 0) {
          throw new BuildFailedException("buildpack " + slug + ": bin/release failed with exit code " + result.code() + ":\n"
              + String.join("\n", result.output().tail()));
        }
        // a later buildpack's types and variables win, as with Heroku's multi-buildpack builds
        BuildpackRelease release = BuildpackRelease.parse(slug, String.join("\n", result.output().stdout()));
        types.putAll(release.processTypes());
        vars.putAll(release.configVars());
        return null;
      }));
    }
    return chain.map(v -> new BuildpackRelease(types, vars));
  }

  private Future<BuiltImage> image(Context context, String id, BuildJob job, BuildpackPlan plan, List<String> selected,
                                   BuildpackRelease release, BuildLog log, long deadline) {
    return engine.callSlow(docker -> {
      Path procfile = job.sourceDir().resolve("Procfile");
      Map<String, String> types = new LinkedHashMap<>(release.processTypes());
      if (Files.isRegularFile(procfile)) {
        // the Procfile wins over the buildpack's defaults, type by type
        types.putAll(Procfile.parse(Files.readString(procfile)));
      }
      String dockerfile = AppImage.dockerfile(plan.stack().runImage(), release.configVars(), types.get("web"));
      log.line("-----> Process types: " + (types.isEmpty() ? "(none)" : String.join(", ", types.keySet())));
      log.line("-----> Creating the image on " + plan.stack().runImage());
      Path contextTar = Files.createTempFile("skypanel-image-", ".tar");
      try (InputStream app = BuilderContainer.export(docker, id)) {
        AppImage.context(app, dockerfile, contextTar);
      } catch (Exception e) {
        Files.deleteIfExists(contextTar);
        throw e;
      }
      InputStream in = Files.newInputStream(contextTar);
      Runnable cleanup = () -> {
        try {
          in.close();
          Files.deleteIfExists(contextTar);
        } catch (Exception e) {
          LOG.debug("build context {} not deleted", contextTar, e);
        }
      };
      AppImage.Progress progress;
      try {
        progress = AppImage.build(docker, in, job.imageTag(), Map.of(Labels.ORG, job.organizationId().toString(),
            BuilderContainer.LABEL_APP, job.appId().toString(), BuilderContainer.LABEL_BUILD, job.buildId().toString()), log::line);
      } catch (RuntimeException e) {
        cleanup.run();
        throw e;
      }
      progress.done().whenComplete((v, err) -> cleanup.run());
      return new ImageBuild(progress, types);
    }).compose(started -> {
      AppImage.Progress progress = started.progress();
      Map<String, String> types = started.processTypes();
      return await(context, progress.done(), deadline).map(v -> {
        if (progress.error() != null) {
          throw new BuildFailedException("the image could not be created: " + progress.error());
        }
        log.line("-----> Built " + job.imageTag());
        return new BuiltImage(job.imageTag(), types, null, "buildpacks:" + String.join(",", selected));
      });
    });
  }

  /** An image build under way and the process types the image will be released with. */
  private record ImageBuild(AppImage.Progress progress, Map<String, String> processTypes) {
  }

  /** The result of one buildpack script. */
  private record StepResult(int code, OutputLines output) {
  }

  private Future<StepResult> step(Context context, String id, List<String> env, String slug, String script,
                                  Consumer<String> log, boolean keepStdout, long deadline) {
    OutputLines output = new OutputLines(log, keepStdout);
    String path = "/buildpacks/" + slug + "/bin/" + script;
    String[] command = switch (script) {
      case "compile" -> new String[] {path, "/" + BuilderContainer.APP_DIR, "/" + BuilderContainer.CACHE_DIR, "/" + BuilderContainer.ENV_DIR};
      default -> new String[] {path, "/" + BuilderContainer.APP_DIR};
    };
    return engine.callSlow(docker -> BuilderContainer.exec(docker, id, env, output, command))
        .compose(execId -> await(context, output.done(), deadline)
            .compose(v -> engine.callSlow(docker -> new StepResult(BuilderContainer.exitCode(docker, execId), output))));
  }

  private static Future<Void> await(Context context, CompletableFuture<Void> done, long deadline) {
    long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (remaining <= 0) {
      return Future.failedFuture(new BuildFailedException("the build took longer than its time limit"));
    }
    return Future.fromCompletionStage(done, context).timeout(remaining, TimeUnit.MILLISECONDS)
        .recover(err -> Future.failedFuture(err instanceof TimeoutException
            ? new BuildFailedException("the build took longer than its time limit", err)
            : err));
  }
}
