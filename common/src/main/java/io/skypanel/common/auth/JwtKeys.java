package io.skypanel.common.auth;

import io.skypanel.common.config.Settings;
import io.skypanel.common.crypto.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
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
  private static final String SELECT = "SELECT value FROM platform_settings WHERE key = $1";
  private static final String INSERT = "INSERT INTO platform_settings (key, value, secret) VALUES ($1, $2, true) ON CONFLICT (key) DO NOTHING";

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
    return read(pool, box).compose(existing -> {
      if (existing != null) {
        return Future.succeededFuture(existing);
      }
      Pair generated = generate();
      JsonObject value = new JsonObject()
          .put("private_key_sealed", box.encrypt(generated.privatePem()))
          .put("public_key", generated.publicPem());
      return pool.preparedQuery(INSERT).execute(Tuple.of(SETTING_KEY, value))
          .compose(done -> read(pool, box))
          .andThen(result -> LOG.info("access token signing key ready (stored in platform_settings)"));
    });
  }

  private static Future<Pair> read(Pool pool, SecretBox box) {
    return pool.preparedQuery(SELECT).execute(Tuple.of(SETTING_KEY)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      JsonObject value = (JsonObject) row.getValue("value");
      return new Pair(box.decryptToString(value.getString("private_key_sealed")), value.getString("public_key"));
    });
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
