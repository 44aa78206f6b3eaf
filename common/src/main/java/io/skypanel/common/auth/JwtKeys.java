package io.skypanel.common.auth;

import io.skypanel.common.config.Settings;
import io.skypanel.common.crypto.SealedSettings;
import io.skypanel.common.crypto.SecretBox;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * The EC P-256 key pair that signs access tokens. Configured PEMs win; otherwise the pair lives in
 * {@code platform_settings} with the private key sealed by the master key, so every replica and every
 * service verifies the same tokens. The first replica to start generates it; a concurrent start loses
 * the insert race and reads the winner's pair.
 */
public final class JwtKeys {

  private static final Logger LOG = LoggerFactory.getLogger(JwtKeys.class);
  static final String SETTING_KEY = "auth.jwt_signing_key";

  /** PEM-encoded pair. */
  public record Pair(String privatePem, String publicPem) {
  }

  private JwtKeys() {
  }

  public static Future<Pair> load(Settings settings, Pool pool, SecretBox box) {
    String privatePem = settings.optional("SKYPANEL_JWT_PRIVATE_KEY");
    String publicPem = settings.optional("SKYPANEL_JWT_PUBLIC_KEY");
    if (privatePem != null && publicPem != null) {
      return Future.succeededFuture(new Pair(privatePem, publicPem));
    }
    if (privatePem != null || publicPem != null) {
      return Future.failedFuture(new IllegalArgumentException("set both SKYPANEL_JWT_PRIVATE_KEY and SKYPANEL_JWT_PUBLIC_KEY, or neither"));
    }
    return new SealedSettings(pool, box).getOrCreate(SETTING_KEY, () -> {
      Pair generated = generate();
      return new SealedSettings.Pair(generated.privatePem(), generated.publicPem());
    }).map(stored -> new Pair(stored.secret(), stored.open()))
        .andThen(result -> LOG.info("access token signing key ready (stored in platform_settings)"));
  }

  static Pair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      return new Pair(pem("PRIVATE KEY", pair.getPrivate().getEncoded()), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate an EC key pair", e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
