package io.skypanel.edge.tls;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/**
 * Key generation with the JDK's own provider (acme4j's helpers require BouncyCastle registered as a JCA provider,
 * which this process does not do).
 */
public final class KeyPairs {

  private KeyPairs() {
  }

  /** A fresh EC P-256 pair: what browsers and every ACME CA accept, and fast to handshake with. */
  public static KeyPair ecP256() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC P-256 key pair", e);
    }
  }

  /** A fresh RSA 2048 pair, for certificates acme4j builds itself (it signs them with SHA256withRSA). */
  public static KeyPair rsa2048() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an RSA key pair", e);
    }
  }
}
