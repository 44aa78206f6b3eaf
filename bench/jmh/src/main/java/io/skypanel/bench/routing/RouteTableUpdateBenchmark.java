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

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The other side of the copy-on-write table: {@link RouteTable#replaceContainer}, what one container's route
 * change (deploy, scale, domain verified) costs. RouteSync calls it on an event loop, so at large table sizes
 * this is time every request on that loop waits.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RouteTableUpdateBenchmark {

  @Param({"1000", "10000", "100000"})
  int routes;

  private List<Route> all;
  private RouteTable table;
  private int next;

  @Setup
  public void setUp() {
    all = Routes.routes(routes);
    table = new RouteTable();
    table.replaceAll(all);
  }

  @Benchmark
  public RouteTable replaceContainer() {
    Route route = all.get(next++ % routes);
    table.replaceContainer(route.containerId(), List.of(route));
    return table;
  }
}
