package io.skypanel.controlplane.caas.volumes;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The object store of snapshot archives: a directory on the host ({@code SKYPANEL_CAAS_SNAPSHOT_DIR}, default
 * {@code <SKYPANEL_DATA_DIR>/snapshots}) holding {@code <organization id>/<snapshot id>.tar}. Only the platform's
 * own helper tasks see it, and each of them only the one archive file it reads or writes. File work runs on a
 * worker thread, never on an event loop.
 */
final class SnapshotStore {

  private final Vertx vertx;
  private final Path root;

  SnapshotStore(Vertx vertx, Path dir) {
    this.vertx = vertx;
    // the engine resolves bind sources on the host: they must be absolute
    this.root = dir.toAbsolutePath().normalize();
  }

  Path root() {
    return root;
  }

  /** Where the archive of a snapshot is kept, relative to the store (what {@code storage_path} records). */
  static String relativePath(UUID organizationId, UUID snapshotId) {
    return organizationId + "/" + snapshotId + ".tar";
  }

  /** The absolute host path of a stored archive; a path that escapes the store is refused. */
  Path resolve(String relativePath) {
    Path path = root.resolve(relativePath).normalize();
    if (!path.startsWith(root) || path.equals(root)) {
      throw new IllegalArgumentException("archive path outside the snapshot store: " + relativePath);
    }
    return path;
  }

  /**
   * Creates the empty archive file a snapshot helper will fill (so the helper can bind-mount exactly that file,
   * not the whole store), readable and writable by the owner only.
   */
  Future<Path> prepare(String relativePath) {
    return vertx.executeBlocking(() -> {
      Path file = resolve(relativePath);
      Path dir = Files.createDirectories(file.getParent());
      restrict(dir, "rwx------");
      Files.deleteIfExists(file);
      Files.createFile(file);
      restrict(file, "rw-------");
      return file;
    }, false);
  }

  /** Size and SHA-256 of a stored archive, read in full off the event loop. */
  Future<Digest> digest(String relativePath) {
    return vertx.executeBlocking(() -> {
      MessageDigest sha256 = sha256();
      long size = 0;
      byte[] buffer = new byte[1 << 16];
      try (InputStream in = Files.newInputStream(resolve(relativePath))) {
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
          sha256.update(buffer, 0, read);
          size += read;
        }
      }
      return new Digest(size, HexFormat.of().formatHex(sha256.digest()));
    }, false);
  }

  /** Removes an archive; one that is already gone is fine. */
  Future<Void> delete(String relativePath) {
    if (relativePath == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      Files.deleteIfExists(resolve(relativePath));
      return null;
    }, false);
  }

  /** Host paths never reach tenants: messages from the engine (e.g. about bind sources) name the store instead. */
  String redact(String message) {
    return message == null ? null : message.replace(root.toString(), "<snapshot-store>");
  }

  record Digest(long sizeBytes, String sha256) {
  }

  private static void restrict(Path path, String permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: keep the defaults
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
