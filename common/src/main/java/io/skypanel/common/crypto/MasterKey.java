package io.skypanel.common.crypto;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Finds the master key that seals every stored secret: {@code SKYPANEL_MASTER_KEY} (base64 of 32 bytes)
 * when set, otherwise {@code <data dir>/master.key}, created with mode 0600 on first start. Production
 * should set the variable from a secret store; losing the key makes stored secrets unreadable.
 */
public final class MasterKey {

  private static final Logger LOG = LoggerFactory.getLogger(MasterKey.class);

  private MasterKey() {
  }

  /** Blocking file access: call at start, off the event loop. */
  public static byte[] load(String configured, Path dataDir) throws IOException {
    if (configured != null) {
      byte[] key = Base64.getDecoder().decode(configured);
      if (key.length != 32) {
        throw new IllegalArgumentException("SKYPANEL_MASTER_KEY must be the base64 encoding of 32 bytes");
      }
      return key;
    }
    Path file = dataDir.resolve("master.key");
    if (Files.exists(file)) {
      return Base64.getDecoder().decode(Files.readString(file).trim());
    }
    Files.createDirectories(dataDir);
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Files.writeString(file, Base64.getEncoder().encodeToString(key), StandardOpenOption.CREATE_NEW);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system; the operator is warned below anyway
    }
    LOG.warn("generated a new master key in {}; set SKYPANEL_MASTER_KEY in production and keep it safe", file);
    return key;
  }
}
