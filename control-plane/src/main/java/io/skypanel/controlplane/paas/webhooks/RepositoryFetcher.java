package io.skypanel.controlplane.paas.webhooks;

import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.paas.git.AppRepositories;
import io.skypanel.controlplane.paas.git.TreeTarball;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * Fetches a webhook's branch from the repository host into the app's bare repository (under
 * {@code refs/webhooks/<branch>}, apart from the branches pushed over git) and exports the announced commit, which
 * must be on that branch, as a build's source. Blocking JGit on the git worker pool, bounded by the fetch timeout;
 * the host is checked against the SSRF rule right before connecting and redirects are not followed.
 */
public final class RepositoryFetcher {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RepositoryFetcher.class);
  private static final String NAMESPACE = "refs/webhooks/";

  private final WorkerExecutor workers;
  private final AppRepositories repositories;
  private final PublicAddresses addresses;
  private final Duration timeout;

  public RepositoryFetcher(WorkerExecutor workers, AppRepositories repositories, PublicAddresses addresses, Duration timeout) {
    this.workers = workers;
    this.repositories = repositories;
    this.addresses = addresses;
    this.timeout = timeout;
  }

  /** Removes a source no build took (the submit failed), on the worker pool; a failure is logged here. */
  public void discard(Path tarball) {
    workers.executeBlocking(() -> java.nio.file.Files.deleteIfExists(tarball), false)
        .onFailure(err -> LOG.warn("removing the unused source {} failed", tarball, err));
  }

  /** The tarball of {@code commit} of {@code branch} at {@code url}; the build owns it. */
  public Future<Path> fetch(UUID appId, String url, String branch, String commit) {
    return workers.executeBlocking(() -> {
      addresses.check(url);
      try (Repository repository = repositories.open(appId); Git git = new Git(repository)) {
        // a redirect could lead anywhere, past the address check
        repository.getConfig().setString("http", null, "followRedirects", "false");
        String local = NAMESPACE + branch;
        git.fetch().setRemote(url).setRefSpecs(new RefSpec("+refs/heads/" + branch + ":" + local))
            .setTimeout((int) Math.max(1, timeout.toSeconds())).call();
        Ref tip = repository.exactRef(local);
        ObjectId wanted = ObjectId.fromString(commit);
        try (RevWalk walk = new RevWalk(repository)) {
          if (tip == null || !repository.getObjectDatabase().has(wanted)
              || !walk.isMergedInto(walk.parseCommit(wanted), walk.parseCommit(tip.getObjectId()))) {
            throw ApiException.unprocessable("commit_not_found", "commit " + commit + " is not on " + branch + " at the repository");
          }
        }
        return TreeTarball.export(repository, wanted, repositories.tarballDir());
      } catch (GitAPIException e) {
        throw ApiException.unprocessable("fetch_failed", "fetching " + branch + " from the repository failed: " + e.getMessage());
      } catch (IOException e) {
        throw new IOException("reading the fetched commit " + commit + " of app " + appId + " failed", e);
      }
    }, false);
  }
}
