package io.skypanel.common.auth;

import io.skypanel.common.config.Settings;
import io.skypanel.common.crypto.SecretBox;
import io.skypanel.common.db.Database;
import io.skypanel.common.db.DatabaseOptions;
import io.skypanel.common.db.Migrator;
import io.skypanel.common.testing.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.security.SecureRandom;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Token keys are generated once, stored sealed, and shared: a second replica verifies the first one's tokens. */
@ExtendWith(VertxExtension.class)
class JwtKeysTest {

  private static DatabaseOptions database;

  @BeforeAll
  static void migrate() {
    database = TestServers.createDatabase();
    Migrator.run(database);
  }

  @AfterAll
  static void drop() {
    TestServers.dropDatabase(database);
  }

  @Test
  void replicas_share_one_sealed_signing_key(Vertx vertx, VertxTestContext ctx) {
    byte[] master = new byte[32];
    new SecureRandom().nextBytes(master);
    SecretBox box = new SecretBox(master);
    Settings settings = new Settings(new JsonObject());
    Pool pool = Database.pool(vertx, database);
    UUID user = UUID.randomUUID();

    JwtKeys.load(settings, pool, box).compose(first -> JwtKeys.load(settings, pool, box).map(second -> {
      assertThat(second).isEqualTo(first);
      return first;
    })).compose(keys -> {
      String token = new AccessTokens(vertx, keys, "skypanel", 60).issue(user);
      return new AccessTokens(vertx, keys, "skypanel", 60).verify(token);
    }).compose(verified -> pool.query("SELECT value::text AS v FROM platform_settings WHERE key = 'auth.jwt_signing_key'").execute()
        .map(rows -> {
          assertThat(verified).isEqualTo(user);
          String stored = rows.iterator().next().getString("v");
          assertThat(stored).doesNotContain("PRIVATE KEY").contains("private_key_sealed").contains("v1:");
          return null;
        }))
        .onComplete(ctx.succeeding(done -> pool.close().onComplete(closed -> ctx.completeNow())));
  }

  @Test
  void a_token_from_another_key_or_issuer_is_refused(Vertx vertx, VertxTestContext ctx) {
    JwtKeys.Pair ours = JwtKeys.generate();
    JwtKeys.Pair theirs = JwtKeys.generate();
    String forged = new AccessTokens(vertx, theirs, "skypanel", 60).issue(UUID.randomUUID());
    String otherIssuer = new AccessTokens(vertx, ours, "someone-else", 60).issue(UUID.randomUUID());
    AccessTokens verifier = new AccessTokens(vertx, ours, "skypanel", 60);
    verifier.verify(forged).onComplete(ctx.failing(e1 -> verifier.verify(otherIssuer).onComplete(ctx.failing(e2 -> ctx.completeNow()))));
  }
}
