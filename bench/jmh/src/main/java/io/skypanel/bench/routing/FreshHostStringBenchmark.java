package io.skypanel.bench.routing;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Baseline for {@link RouteTableLookupBenchmark}: only the fresh Host string each lookup starts from. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FreshHostStringBenchmark {

  private byte[][] headers;
  private int next;

  @Setup
  public void setUp() {
    Random random = new Random(42);
    headers = new byte[RouteTableLookupBenchmark.QUERIES][];
    for (int i = 0; i < headers.length; i++) {
      headers[i] = Routes.host(random.nextInt(100_000)).getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  @Benchmark
  public String freshHostString() {
    return new String(headers[next++ & (RouteTableLookupBenchmark.QUERIES - 1)], StandardCharsets.ISO_8859_1);
  }
}
