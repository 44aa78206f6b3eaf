package io.skypanel.controlplane.paas.builds.buildpacks;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The one tarball copied into a builder container before it starts (extracted at {@code /}): the source at
 * {@code app/} and the directories {@code cache/} (the mount point of the app's cache volume) and {@code env/},
 * owned by the build user so the buildpack can write there (extracting a directory entry onto a volume's mount
 * point sets the volume's owner: a fresh volume is root's otherwise), and the buildpacks at
 * {@code buildpacks/<slug>/}, owned by root and read-only to the build user. {@code .git} is left out, as Heroku does.
 * The config vars go in a second, in-memory archive ({@link #configVars}).
 */
final class BuilderArchive {

  private BuilderArchive() {
  }

  /** Writes the archive of {@code source} and {@code buildpacks} (slug to files) to {@code target}. Blocking. */
  static void write(Path target, Path source, Map<String, List<BuildpackFiles.File>> buildpacks, int uid) throws IOException {
    try (OutputStream out = Files.newOutputStream(target); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      directory(tar, BuilderContainer.APP_DIR, uid, 0755);
      directory(tar, BuilderContainer.CACHE_DIR, uid, 0755);
      directory(tar, BuilderContainer.ENV_DIR, uid, 0755);
      addSource(tar, source, uid);
      directory(tar, "buildpacks", 0, 0755);
      for (Map.Entry<String, List<BuildpackFiles.File>> buildpack : buildpacks.entrySet()) {
        String root = "buildpacks/" + buildpack.getKey();
        directory(tar, root, 0, 0755);
        for (BuildpackFiles.File file : buildpack.getValue()) {
          // parents first, so every directory gets root's ownership and a usable mode
          String[] parts = file.path().split("/");
          StringBuilder parent = new StringBuilder(root);
          for (int i = 0; i < parts.length - 1; i++) {
            parent.append('/').append(parts[i]);
            directory(tar, parent.toString(), 0, 0755);
          }
          file(tar, root + "/" + file.path(), file.content(), 0, file.executable() ? 0755 : 0644);
        }
      }
      tar.finish();
    }
  }

  /**
   * The config vars as the classic {@code ENV_DIR}: a tar (extracted at {@code /}) of {@code env/<NAME>} files whose
   * content is the value, readable by the build user only. Built in memory, so the opened values never touch the
   * control plane's disk; null when there are none.
   */
  static byte[] configVars(Map<String, String> vars, int uid) throws IOException {
    if (vars.isEmpty()) {
      return null;
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Map.Entry<String, String> variable : vars.entrySet()) {
        // names are validated config var names ([A-Za-z_][A-Za-z0-9_]*): never a path
        file(tar, BuilderContainer.ENV_DIR + "/" + variable.getKey(), variable.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8),
            uid, 0400);
      }
      tar.finish();
    }
    return bytes.toByteArray();
  }

  private static void addSource(TarArchiveOutputStream tar, Path source, int uid) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(source)) {
      paths = walk.filter(path -> !path.equals(source)).sorted().toList();
    }
    for (Path path : paths) {
      String relative = source.relativize(path).toString().replace('\\', '/');
      if (relative.equals(".git") || relative.startsWith(".git/")) {
        continue;
      }
      String name = BuilderContainer.APP_DIR + "/" + relative;
      if (Files.isSymbolicLink(path)) {
        TarArchiveEntry link = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        link.setLinkName(Files.readSymbolicLink(path).toString());
        owned(link, uid, 0777);
        tar.putArchiveEntry(link);
        tar.closeArchiveEntry();
      } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        directory(tar, name, uid, 0755);
      } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(Files.size(path));
        owned(entry, uid, Files.isExecutable(path) ? 0755 : 0644);
        tar.putArchiveEntry(entry);
        Files.copy(path, tar);
        tar.closeArchiveEntry();
      }
      // sockets, fifos and devices in a source tree are skipped
    }
  }

  private static void directory(TarArchiveOutputStream tar, String name, int uid, int mode) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name + "/");
    owned(entry, uid, mode);
    tar.putArchiveEntry(entry);
    tar.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] content, int uid, int mode) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(content.length);
    owned(entry, uid, mode);
    tar.putArchiveEntry(entry);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private static void owned(TarArchiveEntry entry, int uid, int mode) {
    entry.setIds(uid, uid);
    entry.setMode((entry.isDirectory() ? 040000 : entry.isSymbolicLink() ? 0120000 : 0100000) | mode);
  }
}
