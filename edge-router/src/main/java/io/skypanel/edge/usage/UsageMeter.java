package io.skypanel.edge.usage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Meters what each container's hostnames carry through this edge replica (bytes out = egress, bytes in,
 * requests) per UTC hour, and adds it to {@code paas_usage} every flush period. Each replica adds its own share
 * to the same hourly row ({@code ON CONFLICT … quantity + EXCLUDED.quantity}), so replicas never overwrite each
 * other. A failed flush keeps the counts for the next one; counts of an organization deleted meanwhile are
 * dropped by the join.
 */
public final class UsageMeter {

  private static final Logger LOG = LoggerFactory.getLogger(UsageMeter.class);

  static final String ADD = """
      INSERT INTO paas_usage (organization_id, resource_type, resource_id, metric, period_start, quantity)
      SELECT u.organization_id, 'container', u.resource_id, u.metric, u.period_start, u.quantity
        FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::numeric[])
               AS u(organization_id, resource_id, metric, period_start, quantity)
        JOIN organizations o ON o.id = u.organization_id
      ON CONFLICT ON CONSTRAINT paas_usage_period_key
        DO UPDATE SET quantity = paas_usage.quantity + EXCLUDED.quantity""";

  private record Key(UUID organizationId, UUID containerId, String metric, long hourStartMillis) {
  }

  private final Pool pool;
  private final Map<Key, LongAdder> pending = new ConcurrentHashMap<>();

  public UsageMeter(Pool pool) {
    this.pool = pool;
  }

  /** One request answered for {@code containerId}: its bytes in and out. */
  public void record(UUID organizationId, UUID containerId, long bytesIn, long bytesOut) {
    long hour = System.currentTimeMillis() / 3_600_000L * 3_600_000L;
    add(new Key(organizationId, containerId, "requests", hour), 1);
    add(new Key(organizationId, containerId, "ingress_bytes", hour), bytesIn);
    add(new Key(organizationId, containerId, "egress_bytes", hour), bytesOut);
  }

  /** Bytes a long-lived connection (WebSocket) carried since it was last recorded. */
  public void recordTunnel(UUID organizationId, UUID containerId, long bytesIn, long bytesOut) {
    long hour = System.currentTimeMillis() / 3_600_000L * 3_600_000L;
    add(new Key(organizationId, containerId, "ingress_bytes", hour), bytesIn);
    add(new Key(organizationId, containerId, "egress_bytes", hour), bytesOut);
  }

  private void add(Key key, long amount) {
    if (amount > 0) {
      pending.computeIfAbsent(key, k -> new LongAdder()).add(amount);
    }
  }

  /** Writes everything counted so far; what fails to write is counted again for the next flush. */
  public Future<Void> flush() {
    List<Key> keys = new ArrayList<>(pending.keySet());
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    List<UUID> organizations = new ArrayList<>();
    List<UUID> containers = new ArrayList<>();
    List<String> metrics = new ArrayList<>();
    List<OffsetDateTime> periods = new ArrayList<>();
    List<BigDecimal> quantities = new ArrayList<>();
    List<Key> taken = new ArrayList<>();
    List<Long> amounts = new ArrayList<>();
    for (Key key : keys) {
      LongAdder adder = pending.remove(key);
      if (adder == null) {
        continue;
      }
      // a late add() to the removed adder lands in a new one (computeIfAbsent), so nothing is counted twice;
      // the tiny window where an add hits the removed adder after sumThenReset is accepted
      long amount = adder.sumThenReset();
      if (amount == 0) {
        continue;
      }
      organizations.add(key.organizationId());
      containers.add(key.containerId());
      metrics.add(key.metric());
      periods.add(OffsetDateTime.ofInstant(Instant.ofEpochMilli(key.hourStartMillis()), ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS));
      quantities.add(BigDecimal.valueOf(amount));
      taken.add(key);
      amounts.add(amount);
    }
    if (taken.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple args = Tuple.of(organizations.toArray(UUID[]::new), containers.toArray(UUID[]::new), metrics.toArray(String[]::new),
        periods.toArray(OffsetDateTime[]::new), quantities.toArray(BigDecimal[]::new));
    return pool.preparedQuery(ADD).execute(args).<Void>mapEmpty().onFailure(err -> {
      LOG.warn("could not write edge usage ({} rows kept for the next flush): {}", taken.size(), err.getMessage());
      for (int i = 0; i < taken.size(); i++) {
        add(taken.get(i), amounts.get(i));
      }
    });
  }

  /** Flushes every {@code periodMs}; returns the timer id. */
  public long schedule(Vertx vertx, long periodMs) {
    return vertx.setPeriodic(periodMs, periodMs, id -> flush());
  }
}
