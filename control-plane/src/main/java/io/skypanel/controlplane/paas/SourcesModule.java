package io.skypanel.controlplane.paas;

import io.skypanel.common.Platform;
import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.controlplane.api.ApiFeature;
import io.skypanel.controlplane.caas.CaasModule;
import io.skypanel.controlplane.paas.builds.SourceBuilds;
import io.skypanel.controlplane.paas.git.AppRepositories;
import io.skypanel.controlplane.paas.git.GitAccess;
import io.skypanel.controlplane.paas.git.GitHttp;
import io.skypanel.controlplane.paas.git.RequestSpool;
import io.skypanel.controlplane.paas.webhooks.PublicAddresses;
import io.skypanel.controlplane.paas.webhooks.RepositoryFetcher;
import io.skypanel.controlplane.paas.webhooks.WebhookReceiver;
import io.skypanel.controlplane.paas.webhooks.WebhookService;
import io.skypanel.controlplane.paas.webhooks.WebhooksFeature;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where source code comes from besides uploads: {@code git push} over smart HTTP and repository webhooks (GitHub,
 * GitLab, Gitea). Both end in {@link SourceBuilds#submit}. JGit work (packs, fetches, tree exports) runs on the
 * {@value #GIT_POOL} worker pool, whose threads a push also holds while its build runs (the push answers when the
 * build has ended), so the pool's size bounds the pushes building at once.
 */
public final class SourcesModule {

  /** The worker pool of JGit work. */
  public static final String GIT_POOL = "skypanel-git";

  private final WorkerExecutor workers;
  private final GitHttp git;
  private final WebhooksFeature webhooks;

  public SourcesModule(Platform platform, CaasModule caas, ControlPlaneOptions.Sources options, SourceBuilds builds) {
    // a push waits for its build on its worker: no blocked-thread warnings before the build's own limit
    this.workers = platform.vertx().createSharedWorkerExecutor(GIT_POOL, options.workers(), options.buildWait().toSeconds() + 300,
        TimeUnit.SECONDS);
    AppRepositories repositories = new AppRepositories(options.repositoryDir());
    this.git = new GitHttp(platform.vertx(), workers, new GitAccess(platform.pool(), platform.authenticator()), repositories,
        new RequestSpool(platform.vertx().fileSystem(), options.repositoryDir().resolve("spool"), options.maxPushBytes()), builds,
        platform.pool(), options.buildWait());
    PublicAddresses addresses = new PublicAddresses(options.allowPrivateHosts());
    RepositoryFetcher fetcher = new RepositoryFetcher(workers, repositories, addresses, options.fetchTimeout());
    WebhookService service = new WebhookService(platform.pool(), platform.secrets(), workers, addresses);
    this.webhooks = new WebhooksFeature(service, new WebhookReceiver(platform.pool(), platform.secrets(), fetcher, builds),
        caas.idempotency());
  }

  public List<ApiFeature> features() {
    return List.of(webhooks);
  }

  /** The git endpoints, ahead of the API's routes; {@code before}: request id and client address. */
  public void mountGit(Router router, List<Handler<RoutingContext>> before) {
    git.mount(router, before);
  }

  public void stop() {
    workers.close();
  }
}
