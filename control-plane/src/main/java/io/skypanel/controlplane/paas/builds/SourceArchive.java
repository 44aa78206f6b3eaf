package io.skypanel.controlplane.paas.builds;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks a source tarball (gzipped tar) safely into an empty directory: no absolute paths, no {@code ..}, no links
 * pointing outside the tree (symbolic links must be relative and stay inside; hard links must name an entry already
 * unpacked), no devices or FIFOs, and at most {@code maxBytes} unpacked in at most {@code maxEntries} entries. Any
 * violation fails the build with {@link BuildFailedException} naming the entry. Blocking: call it on a worker.
 */
public final class SourceArchive {

  private final long maxBytes;
  private final int maxEntries;

  public SourceArchive(long maxBytes, int maxEntries) {
    this.maxBytes = maxBytes;
    this.maxEntries = maxEntries;
  }

  /** Unpacks {@code tarball} into {@code target} (created when missing). */
  public void unpack(Path tarball, Path target) {
    Path root = target.toAbsolutePath().normalize();
    try {
      Files.createDirectories(root);
      try (InputStream file = Files.newInputStream(tarball);
           TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new BufferedInputStream(file), 65536))) {
        long total = 0;
        int entries = 0;
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
          if (++entries > maxEntries) {
            throw new BuildFailedException("the source has more than " + maxEntries + " files and directories");
          }
          Path path = inside(root, entry.getName());
          if (path == null) {
            continue; // the root itself ("./")
          }
          if (entry.isDirectory()) {
            Files.createDirectories(path);
          } else if (entry.isSymbolicLink()) {
            link(root, path, entry);
          } else if (entry.isLink()) {
            Path existing = inside(root, entry.getLinkName());
            if (existing == null || !Files.isRegularFile(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
              throw new BuildFailedException("the source's hard link '" + entry.getName() + "' does not name a file unpacked before it");
            }
            Files.createDirectories(path.getParent());
            Files.copy(existing, path);
          } else if (entry.isFile()) {
            Files.createDirectories(path.getParent());
            total += copy(tar, path, maxBytes - total, entry.getName());
            executable(path, entry.getMode());
          } else {
            throw new BuildFailedException("the source's entry '" + entry.getName() + "' is a device, FIFO or other special file");
          }
        }
      }
    } catch (BuildFailedException e) {
      throw e;
    } catch (IOException e) {
      throw new BuildFailedException("the source is not a readable gzipped tarball: " + e.getMessage(), e);
    }
  }

  /** The entry's path under root, or null for the root itself; fails for absolute paths and {@code ..}. */
  private static Path inside(Path root, String name) {
    if (name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
      throw new BuildFailedException("the source's entry '" + printable(name) + "' has an absolute or malformed path");
    }
    for (String part : name.split("/")) {
      if (part.equals("..")) {
        throw new BuildFailedException("the source's entry '" + printable(name) + "' leaves the source tree ('..')");
      }
    }
    Path path = root.resolve(name).normalize();
    if (!path.startsWith(root)) {
      throw new BuildFailedException("the source's entry '" + printable(name) + "' leaves the source tree");
    }
    if (path.equals(root)) {
      return null;
    }
    // a parent that is a link (unpacked earlier) would let a later entry write through it
    for (Path parent = path.getParent(); parent != null && !parent.equals(root); parent = parent.getParent()) {
      if (Files.isSymbolicLink(parent)) {
        throw new BuildFailedException("the source's entry '" + printable(name) + "' is written through the link '" + root.relativize(parent) + "'");
      }
    }
    return path;
  }

  private static void link(Path root, Path path, TarArchiveEntry entry) throws IOException {
    String target = entry.getLinkName();
    if (target.startsWith("/") || !path.getParent().resolve(target).normalize().startsWith(root)) {
      throw new BuildFailedException("the source's link '" + printable(entry.getName()) + "' points outside the source tree");
    }
    Files.createDirectories(path.getParent());
    Files.deleteIfExists(path);
    Files.createSymbolicLink(path, Path.of(target));
  }

  private static long copy(InputStream in, Path path, long room, String name) throws IOException {
    long written = 0;
    byte[] buffer = new byte[65536];
    try (OutputStream out = Files.newOutputStream(path)) {
      int read;
      while ((read = in.read(buffer)) > 0) {
        written += read;
        if (written > room) {
          throw new BuildFailedException("the unpacked source is larger than the limit (at '" + printable(name) + "')");
        }
        out.write(buffer, 0, read);
      }
    }
    return written;
  }

  private static void executable(Path path, int mode) throws IOException {
    Set<PosixFilePermission> permissions = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
    if ((mode & 0100) != 0) {
      permissions.addAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE));
    }
    Files.setPosixFilePermissions(path, permissions);
  }

  private static String printable(String name) {
    String clean = name.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() <= 200 ? clean : clean.substring(0, 197) + "...";
  }
}
