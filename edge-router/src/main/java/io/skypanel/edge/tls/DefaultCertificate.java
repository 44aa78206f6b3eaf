package io.skypanel.edge.tls;

import io.skypanel.common.config.Settings;
import io.vertx.core.net.SelfSignedCertificate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The certificate presented for names without one of their own (and to clients sending no SNI): the operator's
 * PEM files {@code SKYPANEL_EDGE_DEFAULT_CERT_FILE} / {@code SKYPANEL_EDGE_DEFAULT_KEY_FILE}, else a self-signed
 * one made at start. Reads files: call off the event loop.
 */
public final class DefaultCertificate {

  private DefaultCertificate() {
  }

  public static CertifiedKey load(Settings settings) {
    String certFile = settings.optional("SKYPANEL_EDGE_DEFAULT_CERT_FILE");
    String keyFile = settings.optional("SKYPANEL_EDGE_DEFAULT_KEY_FILE");
    if (certFile == null && keyFile == null) {
      SelfSignedCertificate generated = SelfSignedCertificate.create("skypanel.invalid");
      try {
        return read(generated.certificatePath(), generated.privateKeyPath());
      } finally {
        generated.delete();
      }
    }
    if (certFile == null || keyFile == null) {
      throw new IllegalArgumentException("set both SKYPANEL_EDGE_DEFAULT_CERT_FILE and SKYPANEL_EDGE_DEFAULT_KEY_FILE, or neither");
    }
    return read(certFile, keyFile);
  }

  private static CertifiedKey read(String certFile, String keyFile) {
    String chain;
    String key;
    try {
      chain = Files.readString(Path.of(certFile));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the default certificate " + certFile + ": " + e.getMessage(), e);
    }
    try {
      key = Files.readString(Path.of(keyFile));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the default private key " + keyFile + ": " + e.getMessage(), e);
    }
    try {
      return CertifiedKey.fromPem(chain, key);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the default certificate (" + certFile + ", " + keyFile + ") is unusable: " + e.getMessage(), e);
    }
  }
}
