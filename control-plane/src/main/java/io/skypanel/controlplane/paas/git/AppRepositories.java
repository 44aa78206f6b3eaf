package io.skypanel.controlplane.paas.git;

import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The apps' bare git repositories, one per app under the git directory, named by the app's id (not its slug) so a
 * repository can never be reached through another app's name. Created on first use. Blocking: git worker pool only.
 * Also holds the per-app lock that lets one push (or webhook fetch) at a time change an app's refs and build.
 */
public final class AppRepositories {

  private final Path root;
  private final ConcurrentHashMap<UUID, ReentrantLock> locks = new ConcurrentHashMap<>();

  public AppRepositories(Path root) {
    this.root = root;
  }

  /** The app's bare repository, created empty when it does not exist yet; the caller closes it. */
  public Repository open(UUID appId) throws IOException {
    Path dir = repository(root, appId);
    Files.createDirectories(root);
    Repository repository = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
    if (!Files.exists(dir.resolve("HEAD"))) {
      synchronized (this) {
        if (!Files.exists(dir.resolve("HEAD"))) {
          repository.create(true);
          // a clone of a fresh app checks out main, the platform's default deploy branch
          repository.getRefDatabase().newUpdate("HEAD", false).link("refs/heads/main");
        }
      }
    }
    return repository;
  }

  /** Where the app's bare repository lives under {@code root} (by id: a deleted app's directory can be removed). */
  public static Path repository(Path root, UUID appId) {
    return root.resolve(appId + ".git");
  }

  /** Where sources exported for builds are written (the build service deletes each when its build ends). */
  public Path tarballDir() {
    return root.resolve("tmp");
  }

  /** The lock of the app's builds from git: a second push while one is building is rejected, not queued. */
  public ReentrantLock lock(UUID appId) {
    return locks.computeIfAbsent(appId, id -> new ReentrantLock());
  }
}
