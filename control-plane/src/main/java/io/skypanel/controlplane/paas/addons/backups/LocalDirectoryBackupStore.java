package io.skypanel.controlplane.paas.addons.backups;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;

/**
 * Backups as files {@code <directory>/<key>.gz}, mode 0600 in a 0700 directory ({@code SKYPANEL_BACKUP_DIR}). A put
 * writes a temporary file and renames it, so a crash never leaves a partial backup under its key.
 */
public final class LocalDirectoryBackupStore implements BackupStore {

  /** Keys are platform ids; anything else (a path, dots) is refused, so no key leaves the directory. */
  private static final Pattern KEY = Pattern.compile("[a-z0-9-]{1,64}");

  private final Vertx vertx;
  private final Path directory;

  public LocalDirectoryBackupStore(Vertx vertx, Path directory) {
    this.vertx = vertx;
    this.directory = directory;
  }

  @Override
  public void put(String key, Writer writer) throws IOException {
    Path target = path(key);
    ensureDirectory();
    Path temp = Files.createTempFile(directory, ".put-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (OutputStream out = Files.newOutputStream(temp)) {
        writer.write(out);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public InputStream open(String key) throws IOException {
    return Files.newInputStream(path(key));
  }

  @Override
  public Future<ReadStream<Buffer>> read(String key) {
    Path path;
    try {
      path = path(key);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return vertx.fileSystem().open(path.toString(), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
        .map(file -> (ReadStream<Buffer>) file.pause());
  }

  @Override
  public void delete(String key) throws IOException {
    Files.deleteIfExists(path(key));
  }

  @Override
  public java.util.List<String> keys() throws IOException {
    if (!Files.isDirectory(directory)) {
      return java.util.List.of();
    }
    try (var files = Files.list(directory)) {
      return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".gz"))
          .map(name -> name.substring(0, name.length() - 3)).filter(key -> KEY.matcher(key).matches()).toList();
    }
  }

  @Override
  public long size(String key) throws IOException {
    return Files.size(path(key));
  }

  private Path path(String key) throws IOException {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IOException("not a backup key");
    }
    return directory.resolve(key + ".gz");
  }

  private void ensureDirectory() throws IOException {
    if (!Files.isDirectory(directory)) {
      Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }
}
