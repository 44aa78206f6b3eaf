package io.skypanel.common.gateway;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An image build context held in memory: a tar of a few named files (a Dockerfile and what it copies), with
 * fixed owner, mode and time so the same files always make the same bytes.
 */
public final class TarContext {

  private final Map<String, byte[]> files = new LinkedHashMap<>();
  private final Map<String, Integer> modes = new LinkedHashMap<>();

  /** A regular file readable by everyone. */
  public TarContext add(String name, byte[] content) {
    return add(name, content, 0644);
  }

  /** A regular file with the given permission bits (e.g. {@code 0755} for a program). */
  public TarContext add(String name, byte[] content, int mode) {
    files.put(name, content);
    modes.put(name, mode);
    return this;
  }

  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
        entry.setSize(file.getValue().length);
        entry.setMode(0100000 | modes.get(file.getKey()));
        entry.setModTime(new Date(0));
        tar.putArchiveEntry(entry);
        tar.write(file.getValue());
        tar.closeArchiveEntry();
      }
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
