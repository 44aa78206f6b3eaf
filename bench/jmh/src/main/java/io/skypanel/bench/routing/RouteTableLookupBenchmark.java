package io.skypanel.bench.routing;

import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RouteTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@link RouteTable#lookup} as the edge calls it on every request, with 1k, 10k and 100k hostnames: hits, misses
 * (unknown hosts, answered 404) and mixed-case Host headers with a port, each one of 4096 headers spread at
 * random over the whole table; and {@code hit_hot}, hits on only 16 hostnames, which stay in the CPU caches
 * whatever the table size (so it shows the algorithm's cost apart from cache misses). Every call gets its header
 * as a fresh String, as the HTTP decoder delivers it, so its hash is not cached; {@link FreshHostStringBenchmark}
 * measures that copy alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteTableLookupBenchmark {

  /** A power of two, so the next query is one mask away. */
  static final int QUERIES = 4096;

  @Param({"1000", "10000", "100000"})
  int routes;

  @Param({"hit", "miss", "mixed_case", "hit_hot"})
  String query;

  private RouteTable table;
  private byte[][] headers;
  private int next;

  @Setup
  public void setUp() {
    table = new RouteTable();
    table.replaceAll(Routes.routes(routes));
    Random random = new Random(42);
    int[] hot = random.ints(16, 0, routes).toArray();
    headers = new byte[QUERIES][];
    for (int i = 0; i < QUERIES; i++) {
      int n = random.nextInt(routes);
      String header = switch (query) {
        case "hit" -> Routes.host(n);
        case "hit_hot" -> Routes.host(hot[i % hot.length]);
        case "miss" -> Routes.missingHost(n);
        case "mixed_case" -> Routes.mixedCaseHeader(n);
        default -> throw new IllegalArgumentException("unknown query kind " + query);
      };
      headers[i] = header.getBytes(StandardCharsets.ISO_8859_1);
      // a benchmark of the wrong thing is worse than none: hits must hit and misses must miss
      boolean found = table.lookup(header) != null;
      if (found != !query.equals("miss")) {
        throw new IllegalStateException(query + " query " + header + (found ? " was found" : " was not found"));
      }
    }
  }

  @Benchmark
  public Route lookup() {
    byte[] header = headers[next++ & (QUERIES - 1)];
    return table.lookup(new String(header, StandardCharsets.ISO_8859_1));
  }
}
