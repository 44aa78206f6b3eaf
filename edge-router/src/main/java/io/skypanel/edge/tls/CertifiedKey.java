package io.skypanel.edge.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * A certificate chain (leaf first) with its private key, as the TLS handshake needs them. Immutable; the store
 * swaps whole instances so a handshake never sees a chain from one certificate and the key of another.
 */
public record CertifiedKey(X509Certificate[] chain, PrivateKey privateKey) {

  public static CertifiedKey fromPem(String chainPem, String privateKeyPem) {
    return new CertifiedKey(PemCodec.chain(chainPem), PemCodec.privateKey(privateKeyPem));
  }

  /** "EC" or "RSA": what {@code chooseEngineServerAlias} asks for. */
  public String keyType() {
    return chain[0].getPublicKey().getAlgorithm();
  }

  public Instant notAfter() {
    return chain[0].getNotAfter().toInstant();
  }
}
