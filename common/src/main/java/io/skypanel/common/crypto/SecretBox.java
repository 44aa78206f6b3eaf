package io.skypanel.common.crypto;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Encrypts secrets at rest (registry passwords, private keys, config secrets) with AES-256-GCM under
 * the platform master key. The stored form is {@code v1:<base64(nonce || ciphertext+tag)>}; the version
 * prefix leaves room for key rotation.
 */
public final class SecretBox {

  private static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  public SecretBox(byte[] masterKey) {
    if (masterKey.length != 32) {
      throw new IllegalArgumentException("the master key must be 32 bytes");
    }
    this.key = new SecretKeySpec(masterKey.clone(), "AES");
  }

  public String encrypt(String plaintext) {
    return encrypt(plaintext.getBytes(StandardCharsets.UTF_8));
  }

  public String encrypt(byte[] plaintext) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(plaintext);
      return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  /** Seals a map of names to values (config vars, environment) as one JSON object, in the map's order. */
  public String sealMap(java.util.Map<String, String> values) {
    io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject();
    values.forEach(json::put);
    return encrypt(json.encode());
  }

  /** The map {@link #sealMap} sealed, in its order; empty for null. */
  public java.util.Map<String, String> openMap(String sealed) {
    java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
    if (sealed != null) {
      new io.vertx.core.json.JsonObject(decryptToString(sealed)).forEach(entry -> values.put(entry.getKey(), String.valueOf(entry.getValue())));
    }
    return values;
  }

  public String decryptToString(String sealed) {
    return new String(decrypt(sealed), StandardCharsets.UTF_8);
  }

  public byte[] decrypt(String sealed) {
    if (!sealed.startsWith(PREFIX)) {
      throw new IllegalArgumentException("unknown secret format");
    }
    byte[] raw = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
      return cipher.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      // a wrong master key or tampered value; never include the value in the message
      throw new IllegalStateException("a stored secret cannot be decrypted with the configured master key");
    }
  }
}
