package io.skypanel.edge.usage;

import io.skypanel.common.db.Database;
import io.skypanel.common.db.DatabaseOptions;
import io.skypanel.common.db.Migrator;
import io.skypanel.common.testing.TestServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Edge usage metering into a real, migrated PostgreSQL. */
@ExtendWith(VertxExtension.class)
class UsageMeterTest {

  private static DatabaseOptions database;
  private static Pool pool;

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @BeforeAll
  static void migrate(Vertx vertx) {
    database = TestServers.createDatabase();
    Migrator.run(database);
    pool = Database.pool(vertx, database);
  }

  @AfterAll
  static void drop() throws Exception {
    await(pool.close());
    TestServers.dropDatabase(database);
  }

  private static UUID organization(String slug) throws Exception {
    return await(pool.preparedQuery("INSERT INTO organizations (name, slug) VALUES ($1, $1) RETURNING id")
        .execute(Tuple.of(slug))).iterator().next().getUUID("id");
  }

  private static long quantity(UUID container, String metric) throws Exception {
    var rows = await(pool.preparedQuery("""
        SELECT sum(quantity)::bigint AS total, count(*) AS hours, bool_and(period_start = date_trunc('hour', period_start)) AS aligned
          FROM paas_usage WHERE resource_id = $1 AND metric = $2 AND resource_type = 'container'""")
        .execute(Tuple.of(container, metric)));
    Row row = rows.iterator().next();
    assertThat(row.getLong("hours")).as("one row per hour").isLessThanOrEqualTo(2);
    return row.getLong("total") == null ? 0 : row.getLong("total");
  }

  @Test
  void every_replica_adds_its_share_to_the_same_hourly_rows() throws Exception {
    UUID org = organization("metered");
    UUID container = UUID.randomUUID();
    UsageMeter replicaA = new UsageMeter(pool);
    UsageMeter replicaB = new UsageMeter(pool);
    replicaA.record(org, container, 100, 1_000);
    replicaA.record(org, container, 50, 2_000);
    replicaB.record(org, container, 10, 4_000);
    replicaB.recordTunnel(org, container, 5, 500);
    await(replicaA.flush());
    await(replicaB.flush());
    await(replicaA.flush());

    assertThat(quantity(container, "egress_bytes")).isEqualTo(7_500);
    assertThat(quantity(container, "ingress_bytes")).isEqualTo(165);
    assertThat(quantity(container, "requests")).isEqualTo(3);
  }

  @Test
  void usage_of_a_deleted_organization_is_dropped_without_losing_the_others() throws Exception {
    UUID kept = organization("kept");
    UUID gone = organization("gone");
    UUID keptContainer = UUID.randomUUID();
    UUID goneContainer = UUID.randomUUID();
    UsageMeter meter = new UsageMeter(pool);
    meter.record(kept, keptContainer, 1, 42);
    meter.record(gone, goneContainer, 1, 99);
    await(pool.preparedQuery("DELETE FROM organizations WHERE id = $1").execute(Tuple.of(gone)));
    await(meter.flush());
    assertThat(quantity(keptContainer, "egress_bytes")).isEqualTo(42);
    assertThat(quantity(goneContainer, "egress_bytes")).isZero();
  }
}
