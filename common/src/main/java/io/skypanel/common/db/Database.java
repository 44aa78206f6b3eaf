package io.skypanel.common.db;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Builds the reactive PostgreSQL pool the services use (Flyway alone uses JDBC, see {@link Migrator}). */
public final class Database {

  private Database() {
  }

  public static Pool pool(Vertx vertx, DatabaseOptions options) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(options.poolSize()).setName("skypanel-db").setShared(true))
        .connectingTo(options.connectOptions())
        .using(vertx)
        .build();
  }
}
