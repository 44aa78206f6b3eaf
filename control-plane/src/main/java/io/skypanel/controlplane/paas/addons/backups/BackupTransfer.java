package io.skypanel.controlplane.paas.addons.backups;

import io.skypanel.common.docker.DockerEngine;
import io.vertx.core.Future;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Moves dumps between helper containers and the {@link BackupStore} through the engine API only (no bind mount, so
 * a remote engine works): out of an exited container as the tar the engine streams, entry → gzip → SHA-256 → store;
 * into a running one as a tar of the decompressed dump and a marker entry after it. Nothing holds a dump in memory:
 * a restore spools its tar to a scratch file (the engine needs a stream with sizes known up front).
 */
final class BackupTransfer {

  /** Where the helper finds a restore's files; extracted at {@code /} so the directory need not exist yet. */
  static final String RESTORE_DIR = "skypanel-restore";
  static final String RESTORE_FILE = "/" + RESTORE_DIR + "/dump";
  static final String RESTORE_MARKER = "/" + RESTORE_DIR + "/ready";

  private final DockerEngine docker;
  private final BackupStore store;
  private final Path scratch;

  BackupTransfer(DockerEngine docker, BackupStore store, Path scratch) {
    this.docker = docker;
    this.store = store;
    this.scratch = scratch;
  }

  /** What was stored: compressed size and the SHA-256 of the compressed bytes (what a download yields). */
  record Stored(long size, String sha256) {
  }

  /** Copies the file at {@code path} of the (exited) container into the store under {@code key}, compressed. */
  Future<Stored> copyOut(String containerId, String path, String key) {
    return docker.callSlow(client -> {
      try (InputStream tar = client.copyArchiveFromContainerCmd(containerId, path).exec();
           TarArchiveInputStream entries = new TarArchiveInputStream(tar)) {
        TarArchiveEntry entry = entries.getNextEntry();
        if (entry == null || !entry.isFile()) {
          throw new IOException("the dump task left no dump file");
        }
        MessageDigest sha = sha256();
        store.put(key, out -> {
          try (OutputStream gzip = new GZIPOutputStream(new DigestOutputStream(out, sha), 1 << 16)) {
            entries.transferTo(gzip);
          }
        });
        return new Stored(store.size(key), HexFormat.of().formatHex(sha.digest()));
      }
    });
  }

  /** Copies the stored dump, decompressed, to {@link #RESTORE_FILE} of the running container, then the marker. */
  Future<Void> copyIn(String containerId, String key) {
    return docker.callSlow(client -> {
      Files.createDirectories(scratch);
      Path tar = Files.createTempFile(scratch, "restore-", ".tar", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        long size = uncompressedSize(key);
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar));
             InputStream dump = new GZIPInputStream(store.open(key), 1 << 16)) {
          out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
          out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
          TarArchiveEntry dir = new TarArchiveEntry(RESTORE_DIR + "/");
          dir.setMode(0700);
          out.putArchiveEntry(dir);
          out.closeArchiveEntry();
          TarArchiveEntry file = new TarArchiveEntry(RESTORE_DIR + "/dump");
          file.setSize(size);
          file.setMode(0644);
          out.putArchiveEntry(file);
          dump.transferTo(out);
          out.closeArchiveEntry();
          // after the dump: once the helper sees the marker, the dump is complete
          TarArchiveEntry marker = new TarArchiveEntry(RESTORE_DIR + "/ready");
          marker.setSize(0);
          out.putArchiveEntry(marker);
          out.closeArchiveEntry();
        }
        try (InputStream in = Files.newInputStream(tar)) {
          client.copyArchiveToContainerCmd(containerId).withRemotePath("/").withTarInputStream(in).exec();
        }
        return null;
      } finally {
        Files.deleteIfExists(tar);
      }
    });
  }

  private long uncompressedSize(String key) throws IOException {
    try (InputStream in = new GZIPInputStream(store.open(key), 1 << 16)) {
      return in.transferTo(OutputStream.nullOutputStream());
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
