package io.skypanel.common.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code migrations/} (packaged as {@code db/migration} on the classpath) with Flyway. Flyway is
 * JDBC and blocking, so it runs on a named worker executor; each migration runs in its own transaction
 * and a failed one leaves the schema at the previous version.
 */
public final class Migrator {

  private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);

  private Migrator() {
  }

  /** The outcome of a run: how many migrations were applied and the schema version reached. */
  public record Result(int applied, String version) {
  }

  public static Future<Result> migrate(Vertx vertx, DatabaseOptions options) {
    WorkerExecutor executor = vertx.createSharedWorkerExecutor("skypanel-migrations", 1);
    return executor.executeBlocking(() -> run(options))
        .andThen(done -> executor.close());
  }

  /** Blocking; call from a worker thread only. */
  public static Result run(DatabaseOptions options) {
    Flyway flyway = Flyway.configure()
        .dataSource(options.jdbcUrl(), options.user(), options.password())
        .locations("classpath:db/migration")
        .validateMigrationNaming(true)
        .loggers("slf4j")
        .load();
    MigrateResult result = flyway.migrate();
    String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
    LOG.info("database {} at schema version {} ({} migrations applied)", options, version, result.migrationsExecuted);
    return new Result(result.migrationsExecuted, version);
  }
}
