package io.skypanel.controlplane.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.nio.charset.StandardCharsets;

/**
 * bcrypt password hashing on its own worker pool: a hash costs tens of milliseconds of CPU by design and
 * must never run on an event loop. Verification of an unknown account still spends the same time against a
 * dummy hash, so response time does not reveal which emails are registered.
 */
public final class PasswordHasher {

  private final WorkerExecutor executor;
  private final int cost;
  private final String dummyHash;

  public PasswordHasher(Vertx vertx, int cost) {
    this.executor = vertx.createSharedWorkerExecutor("skypanel-passwords", 2);
    this.cost = cost;
    this.dummyHash = BCrypt.withDefaults().hashToString(cost, "not-a-real-password".toCharArray());
  }

  public Future<String> hash(String password) {
    return executor.executeBlocking(() -> BCrypt.withDefaults().hashToString(cost, password.toCharArray()), false);
  }

  /** True when {@code password} matches {@code hash}; a null hash is checked against a dummy and fails. */
  public Future<Boolean> verify(String password, String hash) {
    String against = hash == null ? dummyHash : hash;
    return executor.executeBlocking(() -> {
      boolean match = BCrypt.verifyer().verify(password.getBytes(StandardCharsets.UTF_8), against.getBytes(StandardCharsets.UTF_8)).verified;
      return match && hash != null;
    }, false);
  }
}
