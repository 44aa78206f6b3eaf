package io.skypanel.controlplane.paas.addons.backups;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipEncoding;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import static java.util.Collections.enumeration;

/**
 * The tar a restore copies into its helper, produced while it is read, from the stored (gzip) dump in one pass: a
 * directory, the decompressed dump, then a marker entry the helper waits for. The marker only follows a dump that
 * matched its record: the SHA-256 of the stored bytes and the dump's size; a mismatch fails the read before the
 * marker, so the helper never restores a damaged or truncated dump. Big sizes use star's binary number form, which
 * the engine's tar reader (Go's archive/tar) reads.
 */
final class RestoreArchive extends FilterInputStream {

  private static final ZipEncoding NAMES = ZipEncodingHelper.getZipEncoding("UTF-8");
  private static final int BLOCK = TarConstants.DEFAULT_RCDSIZE;

  private final CheckedDump dump;

  private RestoreArchive(InputStream archive, CheckedDump dump) {
    super(archive);
    this.dump = dump;
  }

  /**
   * Why the stored dump was refused while this was read, or null: the engine client wraps what a request body
   * throws, so the caller asks here for the reason in words.
   */
  IOException damage() {
    return dump.damage;
  }

  /**
   * The archive as a stream; closing it closes {@code stored}.
   *
   * @param stored    the stored dump (gzip)
   * @param dumpBytes the decompressed dump's size
   * @param sha256    the SHA-256 (hex) the stored bytes must have, or null to skip that check
   */
  static RestoreArchive of(InputStream stored, long dumpBytes, String sha256) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream(2 * BLOCK);
    head.write(header(BackupTransfer.RESTORE_DIR + "/", 0, 0700, TarConstants.LF_DIR));
    head.write(header(BackupTransfer.RESTORE_DIR + "/dump", dumpBytes, 0644, TarConstants.LF_NORMAL));
    ByteArrayOutputStream tail = new ByteArrayOutputStream(4 * BLOCK);
    tail.write(new byte[(int) ((BLOCK - dumpBytes % BLOCK) % BLOCK)]);
    tail.write(header(BackupTransfer.RESTORE_DIR + "/ready", 0, 0644, TarConstants.LF_NORMAL));
    tail.write(new byte[2 * BLOCK]); // end of archive
    CheckedDump dump = new CheckedDump(stored, dumpBytes, sha256);
    return new RestoreArchive(new SequenceInputStream(enumeration(List.of(new ByteArrayInputStream(head.toByteArray()), dump,
        new ByteArrayInputStream(tail.toByteArray())))), dump);
  }

  /** The decompressed size of a stored dump, counted (backups recorded before their size was). */
  static long countDumpBytes(InputStream stored) throws IOException {
    try (InputStream in = new GZIPInputStream(stored, 1 << 16)) {
      return in.transferTo(OutputStream.nullOutputStream());
    }
  }

  private static byte[] header(String name, long size, int mode, byte type) {
    TarArchiveEntry entry = new TarArchiveEntry(name, type);
    entry.setSize(size);
    entry.setMode(mode);
    byte[] block = new byte[BLOCK];
    try {
      entry.writeEntryHeader(block, NAMES, true);
    } catch (IOException e) {
      throw new IllegalStateException("tar header of " + name, e); // fixed ASCII names cannot fail to encode
    }
    return block;
  }

  /** The decompressed dump; at its end, fails unless the stored bytes' SHA-256 and the dump's size match the record. */
  private static final class CheckedDump extends FilterInputStream {

    private final DigestInputStream digested;
    private final long expectedBytes;
    private final String expectedSha256;
    private long count;
    private boolean checked;
    private IOException damage;

    CheckedDump(InputStream stored, long expectedBytes, String expectedSha256) throws IOException {
      this(new DigestInputStream(stored, sha256()), expectedBytes, expectedSha256);
    }

    private CheckedDump(DigestInputStream digested, long expectedBytes, String expectedSha256) throws IOException {
      super(new GZIPInputStream(digested, 1 << 16));
      this.digested = digested;
      this.expectedBytes = expectedBytes;
      this.expectedSha256 = expectedSha256;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      try {
        return checkedRead(buffer, offset, length);
      } catch (ZipException | EOFException e) {
        // what GZIPInputStream says of bad bytes; any other IOException is the store's and propagates as it is
        throw damaged("the stored dump is damaged: not a complete gzip stream (" + e.getMessage() + ")");
      }
    }

    private IOException damaged(String reason) {
      damage = new IOException(reason);
      return damage;
    }

    private int checkedRead(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count += n;
        if (count > expectedBytes) {
          throw damaged("the stored dump is longer than recorded (" + expectedBytes + " bytes)");
        }
      } else if (n < 0 && !checked) {
        checked = true;
        digested.transferTo(OutputStream.nullOutputStream()); // whatever follows the gzip members counts too
        if (count != expectedBytes) {
          throw damaged("the stored dump is shorter than recorded: " + count + " of " + expectedBytes + " bytes");
        }
        String actual = HexFormat.of().formatHex(digested.getMessageDigest().digest());
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(actual)) {
          throw damaged("the stored dump does not match its checksum");
        }
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      throw new IOException("a restore archive is read, not skipped");
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
