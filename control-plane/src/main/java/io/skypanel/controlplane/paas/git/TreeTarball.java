package io.skypanel.controlplane.paas.git;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Exports one commit's tree as the gzipped tarball a build starts from ({@code BuildSource.tarball}), the way
 * {@code git archive} does: regular files 0644, executables 0755, symlinks as symlinks (their target as git stores
 * it; the build service's unpacking decides what a link may point at), submodules left out (their commits are in
 * another repository). Blocking: runs on the git worker pool only.
 */
public final class TreeTarball {

  private TreeTarball() {
  }

  /** Writes the tree of {@code commit} to a new file in {@code dir}; the caller (the build) owns and deletes it. */
  public static Path export(Repository repository, ObjectId commit, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path tarball = Files.createTempFile(dir, "source-" + commit.abbreviate(12).name() + "-", ".tar.gz");
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tarball));
         TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(file));
         RevWalk walk = new RevWalk(repository);
         TreeWalk tree = new TreeWalk(repository)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      RevCommit parsed = walk.parseCommit(commit);
      tree.addTree(parsed.getTree());
      tree.setRecursive(true);
      while (tree.next()) {
        FileMode mode = tree.getFileMode(0);
        if (mode == FileMode.GITLINK) {
          continue;
        }
        ObjectLoader blob = repository.open(tree.getObjectId(0));
        if (mode == FileMode.SYMLINK) {
          TarArchiveEntry link = new TarArchiveEntry(tree.getPathString(), TarArchiveEntry.LF_SYMLINK);
          link.setLinkName(new String(blob.getBytes(), StandardCharsets.UTF_8));
          link.setMode(0777);
          link.setModTime(parsed.getCommitTime() * 1000L);
          tar.putArchiveEntry(link);
          tar.closeArchiveEntry();
          continue;
        }
        TarArchiveEntry entry = new TarArchiveEntry(tree.getPathString());
        entry.setMode(mode == FileMode.EXECUTABLE_FILE ? 0755 : 0644);
        entry.setSize(blob.getSize());
        // the commit's time, so the same commit always gives the same archive (and build cache keys)
        entry.setModTime(parsed.getCommitTime() * 1000L);
        tar.putArchiveEntry(entry);
        blob.copyTo(tar);
        tar.closeArchiveEntry();
      }
      tar.finish();
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tarball);
      throw e;
    }
    return tarball;
  }
}
