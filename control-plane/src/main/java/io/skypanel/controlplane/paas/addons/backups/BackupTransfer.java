package io.skypanel.controlplane.paas.addons.backups;

import io.skypanel.common.docker.DockerEngine;
import io.vertx.core.Future;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * Moves dumps between helper containers and the {@link BackupStore} through the engine API only (no bind mount, so
 * a remote engine works): out of an exited container as the tar the engine streams, entry → gzip → SHA-256 → store;
 * into a running one as a {@link RestoreArchive} produced while the engine reads it, store → SHA-256 → gunzip → tar,
 * in one pass. Nothing holds a dump in memory or on the control plane's disk.
 */
final class BackupTransfer {

  /** Where the helper finds a restore's files; extracted at {@code /} so the directory need not exist yet. */
  static final String RESTORE_DIR = "skypanel-restore";
  static final String RESTORE_FILE = "/" + RESTORE_DIR + "/dump";
  static final String RESTORE_MARKER = "/" + RESTORE_DIR + "/ready";

  private final DockerEngine docker;
  private final BackupStore store;
  private final int gzipLevel;

  BackupTransfer(DockerEngine docker, BackupStore store, int gzipLevel) {
    this.docker = docker;
    this.store = store;
    this.gzipLevel = gzipLevel;
  }

  /** What was stored: compressed size and the SHA-256 of the compressed bytes (what a download yields), and the dump's own size. */
  record Stored(long size, String sha256, long dumpBytes) {
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
        MessageDigest sha = RestoreArchive.sha256();
        long[] dumpBytes = new long[1];
        store.put(key, out -> {
          try (OutputStream gzip = gzip(new DigestOutputStream(out, sha))) {
            dumpBytes[0] = entries.transferTo(gzip);
          }
        });
        return new Stored(store.size(key), HexFormat.of().formatHex(sha.digest()), dumpBytes[0]);
      }
    });
  }

  /**
   * Streams the stored dump, decompressed, to {@link #RESTORE_FILE} of the running container, then the marker; the
   * marker only follows a dump that matched its checksum and size.
   *
   * @param dumpBytes the dump's size, or null to count it first (backups recorded before it was)
   * @param sha256    the stored bytes' SHA-256 (hex)
   */
  Future<Void> copyIn(String containerId, String key, Long dumpBytes, String sha256) {
    return docker.callSlow(client -> {
      long size = dumpBytes != null ? dumpBytes : RestoreArchive.countDumpBytes(store.open(key));
      try (RestoreArchive archive = RestoreArchive.of(store.open(key), size, sha256)) {
        try {
          client.copyArchiveToContainerCmd(containerId).withRemotePath("/").withTarInputStream(archive).exec();
        } catch (RuntimeException e) {
          if (archive.damage() != null) {
            throw archive.damage(); // the reason in words, not the engine client's wrapping of it
          }
          throw e;
        }
      }
      return null;
    });
  }

  /** gzip at the configured level (GZIPOutputStream takes none, its deflater does). */
  private OutputStream gzip(OutputStream out) throws IOException {
    return new GZIPOutputStream(out, 1 << 16) {
      {
        def.setLevel(gzipLevel);
      }
    };
  }
}
