package io.skypanel.controlplane.paas.addons.backups;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where compressed add-on dumps are kept, by key (a backup id chosen by the platform, never a user's path). The
 * blocking methods run on a worker; {@link #read} is for streaming a download to an HTTP response. Two exist:
 * {@link LocalDirectoryBackupStore} and {@link S3BackupStore} ({@code SKYPANEL_BACKUP_STORE}).
 */
public interface BackupStore {

  /** Writes whatever {@code writer} produces under {@code key}; only a complete write becomes visible. Blocking. */
  void put(String key, Writer writer) throws IOException;

  /** The stored bytes; blocking. */
  InputStream open(String key) throws IOException;

  /** The stored bytes as a paused Vert.x stream (downloads); fails when the key does not exist. */
  Future<ReadStream<Buffer>> read(String key);

  /** Removes the key; nothing when it does not exist. Blocking. */
  void delete(String key) throws IOException;

  /** Every key stored (to find dumps whose backup row is gone); blocking. */
  java.util.List<String> keys() throws IOException;

  /** The stored size in bytes. Blocking. */
  long size(String key) throws IOException;

  /** Produces the content into a stream the store owns (and closes). */
  @FunctionalInterface
  interface Writer {
    void write(OutputStream out) throws IOException;
  }
}
