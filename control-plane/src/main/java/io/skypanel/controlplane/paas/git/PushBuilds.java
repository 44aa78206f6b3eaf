package io.skypanel.controlplane.paas.git;

import io.skypanel.controlplane.paas.builds.BuildSource;
import io.skypanel.controlplane.paas.builds.SourceBuilds;
import io.skypanel.controlplane.paas.git.GitAccess.GitCaller;
import io.skypanel.controlplane.paas.git.GitSourceRepository.DeployTarget;
import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.transport.PreReceiveHook;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pre-receive hook of a push: a push to an environment's deploy branch is built (and deployed by the build
 * service) before the ref moves, with the build's log relayed to the git client as {@code remote:} lines as it is
 * written; a failed build rejects that ref with the reason, so the branch stays where it was (as on Heroku). Other
 * branches are stored without building. One building push per app at a time: a second one is rejected, not queued
 * behind a build the pusher cannot see. Runs on the git worker pool (it blocks until the build ends).
 */
final class PushBuilds implements PreReceiveHook {

  private static final Logger LOG = LoggerFactory.getLogger(PushBuilds.class);
  private static final String HEADS = Constants.R_HEADS;

  private final Context context;
  private final SourceBuilds builds;
  private final GitCaller caller;
  private final List<DeployTarget> targets;
  private final Path tarballDir;
  private final Duration wait;
  private final ReentrantLock lock;

  PushBuilds(Context context, SourceBuilds builds, GitCaller caller, List<DeployTarget> targets, Path tarballDir, Duration wait,
             ReentrantLock lock) {
    this.context = context;
    this.builds = builds;
    this.caller = caller;
    this.targets = targets;
    this.tarballDir = tarballDir;
    this.wait = wait;
    this.lock = lock;
  }

  @Override
  public void onPreReceive(ReceivePack pack, Collection<ReceiveCommand> commands) {
    for (ReceiveCommand command : commands) {
      if (command.getResult() != ReceiveCommand.Result.NOT_ATTEMPTED || command.getType() == ReceiveCommand.Type.DELETE
          || !command.getRefName().startsWith(HEADS)) {
        continue;
      }
      String branch = command.getRefName().substring(HEADS.length());
      List<DeployTarget> deployed = deployedBy(branch, pack, commands);
      if (deployed.isEmpty()) {
        continue;
      }
      if (!lock.tryLock()) {
        command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, "another push to this app is building; push again when it has finished");
        continue;
      }
      try {
        for (DeployTarget target : deployed) {
          String failure = build(pack, command, branch, target);
          if (failure != null) {
            command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, failure);
            break;
          }
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * The environments a push of {@code branch} deploys: those naming it, and those on the default (main; master
   * when the repository has no main and this push does not create one).
   */
  private List<DeployTarget> deployedBy(String branch, ReceivePack pack, Collection<ReceiveCommand> commands) {
    boolean defaultBranch = "main".equals(branch) || ("master".equals(branch) && !hasMain(pack, commands));
    List<DeployTarget> deployed = new ArrayList<>();
    for (DeployTarget target : targets) {
      if (target.branch() == null ? defaultBranch : target.branch().equals(branch)) {
        deployed.add(target);
      }
    }
    return deployed;
  }

  private static boolean hasMain(ReceivePack pack, Collection<ReceiveCommand> commands) {
    if (commands.stream().anyMatch(c -> c.getRefName().equals(HEADS + "main") && c.getType() != ReceiveCommand.Type.DELETE)) {
      return true;
    }
    try {
      return pack.getRepository().exactRef(HEADS + "main") != null;
    } catch (IOException e) {
      throw new IllegalStateException("reading the app's refs failed", e);
    }
  }

  /** Builds the pushed commit for one environment; null when it succeeded, else the reason. */
  private String build(ReceivePack pack, ReceiveCommand command, String branch, DeployTarget target) {
    String commit = command.getNewId().name();
    Path tarball;
    try {
      tarball = TreeTarball.export(pack.getRepository(), command.getNewId(), tarballDir);
    } catch (IOException e) {
      LOG.error("exporting commit {} of app {} failed", commit, caller.app().id(), e);
      return "the platform could not read the pushed commit";
    }
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    CompletableFuture<JsonObject> ended = new CompletableFuture<>();
    BuildSource source = new BuildSource(tarball, BuildSource.Origin.GIT_PUSH, branch, commit);
    context.runOnContext(v -> builds.submit(caller.principal(), caller.org(), caller.app().id(), target.environmentId(), source, lines::add)
        .onSuccess(handle -> {
          lines.add("-----> Build " + handle.build().getString("id") + " of " + commit.substring(0, 7) + " for " + target.name() + " queued");
          // ended() never fails by contract; a broken one still ends the push with a reason
          handle.ended().onComplete(end -> ended.complete(end.succeeded() && end.result() != null ? end.result()
              : new JsonObject().put("status", "failed").put("status_reason", "the build's end could not be read")));
        })
        .onFailure(ended::completeExceptionally));
    say(pack, "-----> Building " + branch + " (" + commit.substring(0, 7) + ") for the " + target.name() + " environment");
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      while (!ended.isDone() && System.nanoTime() < deadline) {
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line != null) {
          say(pack, line);
        }
      }
      for (String line; (line = lines.poll()) != null; ) {
        say(pack, line);
      }
      if (!ended.isDone()) {
        return "the build did not finish within " + wait.toSeconds() + " s";
      }
      JsonObject result = ended.join();
      if ("succeeded".equals(result.getString("status"))) {
        // the build's view names its release as {"id", "version"}
        Object release = result.getValue("release");
        Object version = release instanceof JsonObject named ? named.getValue("version") : release;
        say(pack, "-----> Deployed" + (version == null ? "" : " as release v" + version) + " to " + target.name());
        return null;
      }
      String reason = result.getString("status_reason", "the build " + result.getString("status", "failed"));
      say(pack, " !     Build " + result.getString("status", "failed") + ": " + reason);
      return "build failed: " + reason;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "the push was interrupted";
    } catch (java.util.concurrent.CompletionException e) {
      // not queued (no builds here, a quota, a suspended app): nothing owns the source but us
      deleteQuietly(tarball);
      String reason = e.getCause() == null ? "the build could not be queued" : e.getCause().getMessage();
      say(pack, " !     " + reason);
      return reason;
    }
  }

  private static void say(ReceivePack pack, String line) {
    pack.sendMessage(line);
    try {
      pack.getMessageOutputStream().flush();
    } catch (IOException gone) {
      // the client hung up; the build goes on and the ref update fails on the closed stream
      LOG.debug("git client gone while relaying the build log", gone);
    }
  }

  private static void deleteQuietly(Path tarball) {
    try {
      Files.deleteIfExists(tarball);
    } catch (IOException e) {
      LOG.warn("removing the unused source {} failed", tarball, e);
    }
  }
}
