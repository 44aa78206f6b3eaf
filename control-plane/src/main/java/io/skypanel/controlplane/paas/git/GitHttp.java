package io.skypanel.controlplane.paas.git;

import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.paas.builds.SourceBuilds;
import io.skypanel.controlplane.paas.git.GitAccess.GitCaller;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

/**
 * Git's smart HTTP protocol (stateless RPC) for the apps' repositories, at {@code /git/<app slug>.git}:
 * {@code GET info/refs?service=git-upload-pack|git-receive-pack}, {@code POST git-upload-pack} (clone, fetch) and
 * {@code POST git-receive-pack} (push). These are git's wire protocol, not JSON API operations, so they live outside
 * the OpenAPI contract (and its 1 MiB body handler). JGit runs on the git worker pool: a request body is spooled to
 * a temporary file (with its own size limit) and read from there; JGit's output is written back chunked as it
 * flushes. Errors before the first byte of output are the platform's JSON errors (401 with a Basic challenge).
 */
public final class GitHttp {

  private static final Logger LOG = LoggerFactory.getLogger(GitHttp.class);
  private static final String UPLOAD = "git-upload-pack";
  private static final String RECEIVE = "git-receive-pack";

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final GitAccess access;
  private final AppRepositories repositories;
  private final RequestSpool spool;
  private final SourceBuilds builds;
  private final Pool pool;
  private final Duration buildWait;
  private final GitSourceRepository sql = new GitSourceRepository();

  public GitHttp(Vertx vertx, WorkerExecutor workers, GitAccess access, AppRepositories repositories, RequestSpool spool,
                 SourceBuilds builds, Pool pool, Duration buildWait) {
    this.vertx = vertx;
    this.workers = workers;
    this.access = access;
    this.repositories = repositories;
    this.spool = spool;
    this.builds = builds;
    this.pool = pool;
    this.buildWait = buildWait;
  }

  /** Mounts the three endpoints ahead of the API's routes; {@code before} are the request id and client address handlers. */
  public void mount(Router router, java.util.List<io.vertx.core.Handler<RoutingContext>> before) {
    var refs = router.get("/git/:repo/info/refs").order(-1);
    var upload = router.post("/git/:repo/" + UPLOAD).order(-1);
    var receive = router.post("/git/:repo/" + RECEIVE).order(-1);
    for (var route : java.util.List.of(refs, upload, receive)) {
      before.forEach(route::handler);
      // nothing is read before the caller is checked (the handlers before are synchronous)
      route.handler(ctx -> {
        ctx.request().pause();
        ctx.next();
      });
    }
    refs.handler(this::advertise);
    upload.handler(ctx -> rpc(ctx, false));
    receive.handler(ctx -> rpc(ctx, true));
  }

  private void advertise(RoutingContext ctx) {
    String service = ctx.request().getParam("service");
    if (!UPLOAD.equals(service) && !RECEIVE.equals(service)) {
      ctx.fail(ApiException.forbidden("only git's smart HTTP protocol is served (git 1.6.6 or newer)"));
      return;
    }
    boolean push = RECEIVE.equals(service);
    checked(ctx, push).onSuccess(caller -> {
      HttpServerResponse response = start(ctx, "application/x-" + service + "-advertisement");
      Context context = vertx.getOrCreateContext();
      run(ctx, () -> {
        try (Repository repository = repositories.open(caller.app().id());
             OutputStream out = new ResponseOutputStream(context, response)) {
          PacketLineOut lines = new PacketLineOut(out);
          lines.writeString("# service=" + service + "\n");
          lines.end();
          RefAdvertiser.PacketLineOutRefAdvertiser advertiser = new RefAdvertiser.PacketLineOutRefAdvertiser(lines);
          if (push) {
            ReceivePack pack = new ReceivePack(repository);
            pack.setBiDirectionalPipe(false);
            pack.sendAdvertisedRefs(advertiser);
          } else {
            UploadPack pack = new UploadPack(repository);
            pack.setBiDirectionalPipe(false);
            pack.sendAdvertisedRefs(advertiser);
          }
        }
      });
    });
  }

  private void rpc(RoutingContext ctx, boolean push) {
    checked(ctx, push)
        .compose(caller -> push ? sql.deployTargets(pool, caller.org().organizationId(), caller.app().id())
            .map(targets -> new Rpc(caller, targets)) : Future.succeededFuture(new Rpc(caller, java.util.List.of())))
        .compose(rpc -> spool.receive(ctx.request()).map(body -> {
          rpc.body = body;
          return rpc;
        }))
        .onSuccess(rpc -> {
          HttpServerResponse response = start(ctx, "application/x-" + (push ? RECEIVE : UPLOAD) + "-result");
          Context context = vertx.getOrCreateContext();
          boolean gzip = "gzip".equalsIgnoreCase(ctx.request().getHeader("Content-Encoding"));
          run(ctx, () -> {
            try (Repository repository = repositories.open(rpc.caller.app().id());
                 InputStream raw = Files.newInputStream(rpc.body);
                 InputStream in = gzip ? new GZIPInputStream(raw) : raw;
                 OutputStream out = new ResponseOutputStream(context, response)) {
              if (push) {
                ReceivePack pack = new ReceivePack(repository);
                pack.setBiDirectionalPipe(false);
                pack.setAllowNonFastForwards(true);
                pack.setPreReceiveHook(new PushBuilds(context, builds, rpc.caller, rpc.targets, repositories.tarballDir(), buildWait,
                    repositories.lock(rpc.caller.app().id())));
                pack.receive(in, out, null);
              } else {
                UploadPack pack = new UploadPack(repository);
                pack.setBiDirectionalPipe(false);
                pack.upload(in, out, null);
              }
            } finally {
              Files.deleteIfExists(rpc.body);
            }
          });
        })
        .onFailure(err -> {
          spool.discard(ctx.request());
          fail(ctx, err);
        });
  }

  /** The caller, checked; a failure is already written (401 with git's Basic challenge). */
  private Future<GitCaller> checked(RoutingContext ctx, boolean push) {
    String repo = ctx.pathParam("repo");
    String slug = repo.endsWith(".git") ? repo.substring(0, repo.length() - 4) : repo;
    return access.check(ctx.request().getHeader("Authorization"), slug, push).onFailure(err -> fail(ctx, err));
  }

  private static void fail(RoutingContext ctx, Throwable err) {
    if (ctx.failed() || ctx.response().headWritten()) {
      return;
    }
    if (err instanceof ApiException api && api.status() == 401) {
      ctx.response().putHeader("WWW-Authenticate", GitAccess.CHALLENGE);
    }
    ctx.fail(err);
  }

  private static HttpServerResponse start(RoutingContext ctx, String contentType) {
    return ctx.response().setChunked(true).putHeader("Content-Type", contentType).putHeader("Cache-Control", "no-cache");
  }

  /** Runs JGit on the git pool and ends the response after its last write (or cuts it when it failed midway). */
  private void run(RoutingContext ctx, GitWork work) {
    workers.executeBlocking(() -> {
      work.run();
      return null;
    }, false).onComplete(done -> {
      if (done.succeeded()) {
        ctx.response().end();
      } else if (!ctx.response().headWritten()) {
        ctx.fail(done.cause());
      } else {
        LOG.warn("git {} of {} ended early", ctx.request().path(), ctx.pathParam("repo"), done.cause());
        ctx.response().reset();
      }
    });
  }

  @FunctionalInterface
  private interface GitWork {
    void run() throws Exception;
  }

  /** One checked RPC: who, the deploy targets (pushes), and the spooled body. */
  private static final class Rpc {
    final GitCaller caller;
    final java.util.List<GitSourceRepository.DeployTarget> targets;
    Path body;

    Rpc(GitCaller caller, java.util.List<GitSourceRepository.DeployTarget> targets) {
      this.caller = caller;
      this.targets = targets;
    }
  }
}
